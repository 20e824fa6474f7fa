using Skiff.Engine.Build.Dockerfile;

namespace Skiff.Engine.Build;

/// <summary>One <c>FROM</c> and the instructions up to the next.</summary>
/// <param name="Base">The FROM's image or earlier stage, as written (variables unexpanded).</param>
public sealed record BuildStage(int Index, string? Name, string Base, Instruction From, IReadOnlyList<Instruction> Instructions)
{
    /// <summary>How Docker's progress names the stage: its AS name, else "stage-N".</summary>
    public string DisplayName => Name ?? $"stage-{Index}";

    /// <summary>Instructions shown as numbered steps (FROM counts as the first).</summary>
    public int StepCount => 1 + Instructions.Count(i => ImageBuilder.IsStep(i.Keyword));
}

/// <summary>
/// A Dockerfile as stages: the ARGs before the first FROM (usable in FROM lines), then each stage.
/// <see cref="Needed"/> picks the stages a target depends on, through FROM and COPY --from, so that
/// the others are never built.
/// </summary>
public sealed class BuildPlan
{
    private BuildPlan(IReadOnlyList<Instruction> metaArgs, IReadOnlyList<BuildStage> stages)
    {
        MetaArgs = metaArgs;
        Stages = stages;
    }

    public IReadOnlyList<Instruction> MetaArgs { get; }
    public IReadOnlyList<BuildStage> Stages { get; }

    public static BuildPlan From(DockerfileDocument document, ShellWords words)
    {
        var meta = new List<Instruction>();
        var stages = new List<BuildStage>();
        Instruction? from = null;
        var body = new List<Instruction>();
        foreach (var instruction in document.Instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                if (from is not null)
                    stages.Add(Stage(stages.Count, from, body, words));
                from = instruction;
                body = [];
            }
            else if (from is not null)
                body.Add(instruction);
            else if (instruction.Keyword == "ARG")
                meta.Add(instruction);
            else
                throw new DockerfileException($"Dockerfile line {instruction.Line}: {instruction.Keyword} comes before any FROM: a Dockerfile starts with FROM (only ARG may precede it)");
        }
        if (from is null)
            throw new DockerfileException("the Dockerfile has no FROM instruction: start it with FROM IMAGE (or FROM scratch)");
        stages.Add(Stage(stages.Count, from, body, words));
        var names = new HashSet<string>();
        foreach (var stage in stages.Where(s => s.Name is not null))
            if (!names.Add(stage.Name!))
                throw new DockerfileException($"Dockerfile line {stage.From.Line}: the stage name '{stage.Name}' is used twice: give each stage its own name");
        return new BuildPlan(meta, stages);
    }

    private static BuildStage Stage(int index, Instruction from, List<Instruction> body, ShellWords words)
    {
        var parts = words.RawWords(from.Text);
        string? name = null;
        if (parts.Count == 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase))
            name = parts[2].ToLowerInvariant();
        else if (parts.Count != 1)
            throw new DockerfileException($"Dockerfile line {from.Line}: FROM takes an image and an optional 'AS name': FROM IMAGE [AS NAME]");
        if (name is not null && !IsStageName(name))
            throw new DockerfileException($"Dockerfile line {from.Line}: invalid stage name '{name}': use letters, digits, '-', '_' and '.', starting with a letter");
        return new BuildStage(index, name, parts[0], from, body);
    }

    private static bool IsStageName(string name) =>
        char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The stage called <paramref name="reference"/> (a name, or an index) before <paramref name="before"/>; null when it names an image.</summary>
    public BuildStage? Find(string reference, int before = int.MaxValue)
    {
        var lower = reference.ToLowerInvariant();
        var named = Stages.FirstOrDefault(s => s.Index < before && s.Name == lower);
        if (named is not null)
            return named;
        return int.TryParse(reference, out var index) && index >= 0 && index < Math.Min(before, Stages.Count) ? Stages[index] : null;
    }

    public BuildStage Target(string? target)
    {
        if (target is null)
            return Stages[^1];
        return Stages.FirstOrDefault(s => s.Name == target.ToLowerInvariant())
               ?? throw new BuildException($"target stage \"{target}\" could not be found: --target names a stage of the Dockerfile (FROM IMAGE AS NAME)");
    }

    /// <summary>The stages <paramref name="target"/> needs, dependencies first, each once.</summary>
    /// <param name="expand">resolves a FROM image or a --from value as written to its final text.</param>
    public IReadOnlyList<BuildStage> Needed(BuildStage target, Func<string, string> expand)
    {
        var order = new List<BuildStage>();
        var visiting = new HashSet<int>();
        void Visit(BuildStage stage)
        {
            if (order.Contains(stage))
                return;
            if (!visiting.Add(stage.Index))
                throw new BuildException($"stage {stage.DisplayName} depends on itself: check its FROM and COPY --from");
            foreach (var dependency in Dependencies(stage, expand))
                Visit(dependency);
            order.Add(stage);
        }
        Visit(target);
        return order;
    }

    private IEnumerable<BuildStage> Dependencies(BuildStage stage, Func<string, string> expand)
    {
        if (Find(expand(stage.Base), stage.Index) is { } parent)
            yield return parent;
        foreach (var instruction in stage.Instructions)
        {
            if (instruction.Keyword is not ("COPY" or "ADD") || instruction.Flag("from") is not { } from)
                continue;
            var source = Find(expand(from));
            if (source is not null && source.Index >= stage.Index)
                throw new BuildException($"Dockerfile line {instruction.Line}: COPY --from={from} names a stage that is not defined before it");
            if (source is not null)
                yield return source;
        }
    }
}
