using Skiff.Engine.Build.Context;
using Skiff.Engine.Build.Dockerfile;
using Skiff.Engine.Containers;
using Skiff.Images;

namespace Skiff.Engine.Build;

/// <summary>The built image: its id (config digest) and the manifest its names point at.</summary>
public sealed record BuildResult(Digest ImageId, Digest Manifest, IReadOnlyList<string> UnusedBuildArgs);

/// <summary>
/// <c>skiff build</c>: the stages the target needs, each step on the previous one's image. RUN,
/// COPY, ADD and WORKDIR make layers and are looked up in the build cache first; the others change
/// the config and chain the cache key. Everything is checked before the first step runs, so bad
/// input changes nothing; a failed step leaves the cache entries of the steps before it and nothing else.
/// </summary>
public sealed class ImageBuilder(ContainerEngine engine, BuildProgress progress)
{
    private readonly ImageStore _store = new(engine.Paths.Images);
    private readonly Dictionary<int, ImageState> _stages = [];
    private readonly HashSet<string> _declaredArgs = [];
    private BuildRequest _request = null!;
    private BuildPlan _plan = null!;
    private ShellWords _words = null!;
    private BuildContext _context = BuildContext.Empty;
    private Dictionary<string, string> _metaArgs = [];

    /// <summary>The instructions shown as numbered steps: the ones that make a layer.</summary>
    public static bool IsStep(string keyword) => keyword is "RUN" or "COPY" or "ADD" or "WORKDIR";

    /// <summary>The ARGs every build has without declaring them globally, as BuildKit's.</summary>
    public static IReadOnlyDictionary<string, string> PlatformArgs()
    {
        var p = HostPlatform.Current;
        var platform = HostPlatform.Describe(p);
        return new Dictionary<string, string>
        {
            ["TARGETPLATFORM"] = platform, ["TARGETOS"] = p.Os, ["TARGETARCH"] = p.Architecture, ["TARGETVARIANT"] = p.Variant ?? "",
            ["BUILDPLATFORM"] = platform, ["BUILDOS"] = p.Os, ["BUILDARCH"] = p.Architecture, ["BUILDVARIANT"] = p.Variant ?? "",
        };
    }

    public BuildResult Build(BuildRequest request)
    {
        _request = request;
        var document = DockerfileParser.Parse(request.Dockerfile);
        _words = new ShellWords(document.EscapeToken);
        _plan = BuildPlan.From(document, _words);
        var names = request.Tags.Select(ImageReference.Parse).ToList();
        _context = request.ContextDirectory is { } dir ? BuildContext.Open(dir) : BuildContext.Empty;
        // A network that does not exist would otherwise only be found at the first RUN, steps later.
        foreach (var attachment in request.Network.Networks.Where(n => n.Network != Networks.ContainerNetworking.DefaultName))
            engine.Networking.Store.Find(attachment.Network);
        _metaArgs = MetaArgs();
        var target = _plan.Target(request.Target);
        var stages = _plan.Needed(target, text => _words.Word(text, _metaArgs));

        var definition = progress.Begin($"[internal] load build definition from {request.DockerfileName}");
        definition.Note($"transferring dockerfile: {request.Dockerfile.Length}B done");
        definition.Done();
        foreach (var stage in stages)
            _stages[stage.Index] = BuildStage(stage, stages.Count > 1);
        var final = _stages[target.Index];

        var export = progress.Begin("exporting to image");
        Digest manifest;
        Digest config;
        using (_store.LeaseForWriting())
        {
            manifest = final.Write(_store.Content);
            config = _store.ReadManifest(manifest).Config.Digest;
            export.Note($"writing image {config} done");
            if (names.Count == 0)
                _store.KeepUnnamed(manifest);
            foreach (var name in names)
            {
                _store.SetReference(name, manifest);
                export.Note($"naming to {name} done");
            }
        }
        export.Done();
        var unused = request.BuildArgs.Keys.Where(k => !_declaredArgs.Contains(k) && !IsPredefined(k)).Order(StringComparer.Ordinal).ToList();
        return new BuildResult(config, manifest, unused);
    }

    // HTTP_PROXY and friends are accepted without an ARG, as in Docker.
    private static bool IsPredefined(string name) =>
        name.ToUpperInvariant() is "HTTP_PROXY" or "HTTPS_PROXY" or "FTP_PROXY" or "NO_PROXY" or "ALL_PROXY";

    private Dictionary<string, string> MetaArgs()
    {
        var values = PlatformArgs().ToDictionary();
        foreach (var instruction in _plan.MetaArgs)
            foreach (var (name, value) in DeclareArgs(instruction, values))
                if (value is not null) values[name] = value;
        return values;
    }

    /// <summary>An ARG's names and values: a --build-arg, else its default (expanded), else the global one.</summary>
    private List<(string Name, string? Value)> DeclareArgs(Instruction instruction, IReadOnlyDictionary<string, string> env)
    {
        var declared = new List<(string, string?)>();
        foreach (var (rawName, rawDefault) in _words.Pairs(instruction.Text, legacyAllowed: false, valueRequired: false))
        {
            var name = rawName;
            _declaredArgs.Add(name);
            var value = _request.BuildArgs.TryGetValue(name, out var given) ? given
                : rawDefault is not null ? _words.Word(rawDefault, env)
                : _metaArgs.TryGetValue(name, out var global) ? global
                : null;
            declared.Add((name, value));
        }
        if (declared.Count == 0)
            throw ConfigInstructions.Invalid(instruction, "ARG needs a name: ARG NAME[=DEFAULT]");
        return declared;
    }

    private ImageState BuildStage(BuildStage stage, bool multiStage)
    {
        var label = multiStage ? stage.DisplayName + " " : "";
        var step = 1;
        var state = From(stage, $"[{label}{step}/{stage.StepCount}]");
        var args = new List<(string Name, string? Value)>();
        var cmdSet = false;
        foreach (var instruction in stage.Instructions)
        {
            var env = Environment(args, state);
            if (instruction.Keyword == "ARG")
            {
                foreach (var (name, value) in DeclareArgs(instruction, env))
                {
                    args.RemoveAll(a => a.Name == name);
                    args.Add((name, value));
                }
                continue;
            }
            if (IsStep(instruction.Keyword))
            {
                step++;
                state = LayerStep(instruction, state, env, args, $"[{label}{step}/{stage.StepCount}]");
                continue;
            }
            var (image, createdBy) = ConfigInstructions.Apply(instruction, state.Image, env, _words, cmdSet);
            cmdSet |= instruction.Keyword == "CMD";
            state = state.WithConfig(image, createdBy, state.NextKey(createdBy));
        }
        return state;
    }

    private ImageState From(BuildStage stage, string position)
    {
        var baseName = _words.Word(stage.Base, _metaArgs);
        var vertex = progress.Begin($"{position} FROM {baseName}");
        if (stage.From.Flag("platform") is { } platform && _words.Word(platform, _metaArgs) is var wanted
            && wanted != HostPlatform.Describe(HostPlatform.Current) && wanted != $"{HostPlatform.Current.Os}/{HostPlatform.Current.Architecture}")
            throw new BuildException($"Dockerfile line {stage.From.Line}: FROM --platform={wanted}: this engine builds for {HostPlatform.Describe(HostPlatform.Current)} only");
        ImageState state;
        if (_plan.Find(baseName, stage.Index) is { } parent)
            state = _stages[parent.Index];
        else if (baseName.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            state = ImageState.Scratch();
        else
        {
            _request.PullBase?.Invoke(baseName);
            var found = _store.Require(baseName);
            var (manifestDigest, manifest) = _store.PlatformManifest(found.Digest);
            var config = _store.ReadConfig(manifest.Config.Digest);
            state = new ImageState(config with { History = config.History ?? [] }, manifest.Layers, ImageState.Key($"FROM {manifestDigest}"));
        }
        vertex.Done();
        return state;
    }

    // The variables instructions expand: the stage's ARGs, overridden by ENV.
    private static Dictionary<string, string> Environment(List<(string Name, string? Value)> args, ImageState state)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in args)
            if (value is not null) env[name] = value;
        foreach (var e in state.Image.Config?.Env ?? [])
        {
            var parts = e.Split('=', 2);
            env[parts[0]] = parts.Length > 1 ? parts[1] : "";
        }
        return env;
    }

    private ImageState LayerStep(Instruction instruction, ImageState state, Dictionary<string, string> env, List<(string Name, string? Value)> args, string position)
    {
        var vertex = progress.Begin($"{position} {Display(instruction)}");
        try
        {
            var (text, content, make) = Prepare(instruction, state, env, args);
            var key = state.NextKey(text, content);
            if (!_request.NoCache && _store.BuildCache.Find(key) is { } cached && _store.Content.Exists(cached))
            {
                vertex.Cached();
                return ImageState.Load(_store, cached, key);
            }
            var next = make(key, vertex);
            using (_store.LeaseForWriting())
                _store.BuildCache.Record(key, next.Write(_store.Content));
            vertex.Done();
            return next;
        }
        catch (Exception e) when (e is BuildException or ImageException or DockerfileException)
        {
            vertex.Error(e.Message);
            var exitCode = e is BuildException b ? b.ExitCode : 125;
            throw new BuildException($"failed to solve: {position} {Display(instruction)} ({_request.DockerfileName} line {instruction.Line}): {e.Message}", exitCode);
        }
    }

    /// <summary>A layer step's cache text and content digest, and how to make its state on a miss.</summary>
    private (string Text, Digest? Content, Func<Digest, BuildProgress.Vertex, ImageState> Make) Prepare(
        Instruction instruction, ImageState state, Dictionary<string, string> env, List<(string Name, string? Value)> args)
    {
        switch (instruction.Keyword)
        {
            case "RUN":
            {
                foreach (var flag in instruction.Flags.Keys)
                    throw ConfigInstructions.Invalid(instruction, $"RUN --{flag} is not supported by skiff build");
                var command = RunCommandOf(instruction, state);
                var argEnv = args.Where(a => a.Value is not null && !HasEnv(state, a.Name)).Select(a => $"{a.Name}={a.Value}").ToList();
                var text = "RUN " + (argEnv.Count > 0 ? $"|{argEnv.Count} {string.Join(' ', argEnv)} " : "") + string.Join(' ', command);
                return (text, null, (key, vertex) =>
                {
                    Digest manifest;
                    using (_store.LeaseForWriting())
                        manifest = state.Write(_store.Content);
                    var layer = new RunStep(engine, _store).Run(manifest, command, argEnv, _request.Network, vertex);
                    return state.WithLayer(layer, _store.Content.SizeOf(layer), text + " # buildkit", key);
                });
            }
            case "WORKDIR":
            {
                var (image, createdBy) = ConfigInstructions.Apply(instruction, state.Image, env, _words, cmdSetInStage: false);
                var dir = image.Config!.WorkingDir!.TrimStart('/');
                return (createdBy, null, (key, _) =>
                {
                    var configured = state with { Image = image };
                    var tree = Tree(configured);
                    if (dir.Length == 0 || tree?.Locate(dir.Split('/')) is not null)
                        return configured.WithConfig(image, createdBy, key);
                    // Made for the USER of that point, as BuildKit does, so its RUN steps can write there.
                    var (uid, gid) = image.Config.User is { Length: > 0 } user ? ChownSpec.Resolve(user, ChownSpec.Reader(tree)) : (0, 0);
                    var parts = dir.Split('/');
                    var entries = Enumerable.Range(1, parts.Length).Select(n => string.Join('/', parts[..n]))
                        .Where(p => tree?.Locate(p.Split('/')) is null).Select(p => new LayerEntry(p, null, Uid: uid, Gid: gid)).ToList();
                    return WithCopyLayer(configured, entries, createdBy + " # buildkit", key);
                });
            }
            default:
            {
                var words = instruction.ExecForm?.Select(w => _words.Word(w, env)).ToList()
                            ?? _words.RawWords(instruction.Text).Select(w => _words.Word(w, env)).ToList();
                var from = instruction.Flag("from") is { } f ? CopySource(_words.Word(f, env)) : null;
                var plan = CopyStep.Plan(instruction, words, state.Image.Config?.WorkingDir ?? "/", _context, from);
                var flags = string.Concat(instruction.Flags.Select(kv => $"--{kv.Key}={kv.Value} "));
                var text = $"{instruction.Keyword} {flags}{string.Join(' ', words)}";
                return (text, plan.Content, (key, _) => WithCopyLayer(state, plan.Entries(Tree(state)), text + " # buildkit", key));
            }
        }
    }

    private ImageState WithCopyLayer(ImageState state, IReadOnlyList<LayerEntry> entries, string createdBy, Digest key)
    {
        Digest layer = default;
        using (_store.LeaseForWriting())
            TreeArchive.Pipe(tar => CopyLayer.Write(tar, entries), tar => layer = _store.Content.Write(tar));
        return state.WithLayer(layer, _store.Content.SizeOf(layer), createdBy, key);
    }

    private static IReadOnlyList<string> RunCommandOf(Instruction instruction, ImageState state)
    {
        var shell = state.Image.Config?.Shell ?? ConfigInstructions.DefaultShell;
        if (instruction.Heredocs.Count == 0)
            return ConfigInstructions.CommandForm(instruction, shell);
        // "RUN <<EOF" alone runs the heredoc as the script; otherwise the shell reads the heredocs itself.
        var script = instruction.Heredocs.Count == 1 && instruction.Text.Trim().StartsWith("<<", StringComparison.Ordinal)
                     && !instruction.Text.Trim().Contains(' ')
            ? instruction.Heredocs[0].Content
            : instruction.Text + "\n" + string.Concat(instruction.Heredocs.Select(h => h.Content + h.Name + "\n"));
        return [.. shell, script];
    }

    private static bool HasEnv(ImageState state, string name) =>
        state.Image.Config?.Env?.Any(e => e.Split('=', 2)[0] == name) == true;

    /// <summary>The merged layers of a state, unpacked as snapshots (once each); null for an empty image.</summary>
    private MergedTree? Tree(ImageState state)
    {
        if (state.Layers.Count == 0)
            return null;
        return new MergedTree(LayerDirs(state));
    }

    private IReadOnlyList<string> LayerDirs(ImageState state)
    {
        Digest manifest;
        using (_store.LeaseForWriting())
            manifest = state.Write(_store.Content);
        return _store.Resolve(ImageState.Reference(manifest)).LayerDirs;
    }

    private CopyFrom CopySource(string from)
    {
        if (_plan.Find(from) is { } stage)
        {
            var state = _stages[stage.Index];
            return new CopyFrom($"stage {stage.DisplayName}", LayerDirs(state), state.CacheKey);
        }
        var image = _store.Resolve(from);
        return new CopyFrom($"image {from}", image.LayerDirs, image.ManifestDigest);
    }

    /// <summary><c>skiff builder prune</c>: forgets every cache entry, then collects what nothing else keeps.</summary>
    /// <returns>How many entries there were, and the bytes given back.</returns>
    public static (int Entries, long ReclaimedBytes) Prune(ImageStore store, IImageUsers users)
    {
        var entries = store.BuildCache.Clear();
        return (entries, store.Collect(users).ReclaimedBytes);
    }

    private static string Display(Instruction instruction)
    {
        var flags = string.Concat(instruction.Flags.Select(kv => $"--{kv.Key}={kv.Value} "));
        var text = instruction.Heredocs.Count > 0 ? instruction.Text + " ..." : instruction.Text;
        return $"{instruction.Keyword} {flags}{text}";
    }
}
