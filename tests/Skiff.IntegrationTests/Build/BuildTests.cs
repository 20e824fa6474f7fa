using System.Text.Json;
using Skiff.IntegrationTests.Images;
using static Skiff.IntegrationTests.Images.ImageTools;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Build;

/// <summary><c>skiff build</c> end to end: real RUN steps in Skiff containers on busybox, the cache,
/// the built images run and pushed.</summary>
[Collection("images")]
public sealed class BuildTests
{
    // A small program made with busybox tools in one stage (sed turns a template into a script,
    // chmod makes it runnable), shipped alone in the next; the unused stage would fail if built.
    private const string MultiStage = """
        FROM busybox AS build
        WORKDIR /src
        COPY greet.in ./
        RUN sed 's/@NAME@/skiff/' greet.in > greet && chmod 755 greet && ./greet > /src/selftest

        FROM busybox AS broken
        RUN exit 7

        FROM busybox
        COPY --from=build /src/greet /usr/local/bin/greet
        COPY --from=build /src/selftest /selftest
        CMD ["greet"]
        """;

    private static readonly Dictionary<string, string> Program = new() { ["greet.in"] = "#!/bin/sh\necho \"hello from @NAME@\"\n" };

    [Fact]
    public void A_multi_stage_build_runs_only_the_stages_its_target_needs_and_the_image_runs()
    {
        using var context = new BuildContextDir(MultiStage, Program);
        var name = $"built/{UniqueName()}:v1";

        var build = Must(context.Build("-t", name, "--network", "none"));

        Assert.Contains("[build 4/4] RUN sed", build.Stderr);
        Assert.DoesNotContain("exit 7", build.Stderr);
        Assert.Equal("hello from skiff\n", Must(RunSkiff("run", "--rm", name)).Stdout);
        Assert.Equal("hello from skiff\n", Must(RunSkiff("run", "--rm", name, "cat", "/selftest")).Stdout);
        var history = Must(RunSkiff("image", "history", "--no-trunc", name)).Stdout;
        Assert.Contains("COPY --from=build /src/greet /usr/local/bin/greet", history);
        Assert.Contains("CMD [\"greet\"]", history);
        Must(RunSkiff("rmi", name));
    }

    [Fact]
    public void A_rebuild_takes_every_step_from_the_cache_and_a_changed_file_rebuilds_from_its_copy_on()
    {
        const string dockerfile = """
            FROM busybox
            COPY a.txt /a.txt
            RUN cat /a.txt > /from-run
            COPY b.txt /b.txt
            RUN cat /a.txt /b.txt > /both
            """;
        using var context = new BuildContextDir(dockerfile, new Dictionary<string, string> { ["a.txt"] = "one\n", ["b.txt"] = "two\n" });
        var name = $"cached/{UniqueName()}";
        var first = Must(context.Build("-t", name, "--network", "none"));
        Assert.DoesNotContain("CACHED", first.Stderr);
        var firstId = ImageId(name);

        // Same content, new times: the cache is keyed by content, never by mtime.
        File.SetLastWriteTimeUtc(Path.Join(context.Path, "a.txt"), DateTime.UtcNow.AddHours(1));
        var again = Must(context.Build("-t", name, "--network", "none"));
        Assert.Equal(4, Count(again.Stderr, "CACHED"));
        Assert.Equal(firstId, ImageId(name));

        context.Write("b.txt", "changed\n");
        var changed = Must(context.Build("-t", name, "--network", "none"));
        Assert.Equal(2, Count(changed.Stderr, "CACHED"));
        Assert.Matches(@"\[4/5\] COPY b.txt /b.txt\n#\d+ DONE", changed.Stderr);
        Assert.Equal("one\nchanged\n", Must(RunSkiff("run", "--rm", name, "cat", "/both")).Stdout);

        Must(RunSkiff("builder", "prune", "-f"));
        var afterPrune = Must(context.Build("-t", name, "--network", "none"));
        Assert.DoesNotContain("CACHED", afterPrune.Stderr);
        Must(RunSkiff("rmi", name));
    }

    [Fact]
    public void Dockerignore_leaves_files_out_of_copies_and_of_the_cache_key()
    {
        const string dockerfile = """
            FROM busybox
            COPY . /ctx
            RUN find /ctx -type f | sort
            """;
        using var context = new BuildContextDir(dockerfile, new Dictionary<string, string>
        {
            [".dockerignore"] = "# build output and secrets\n**/*.log\nsecrets\n!secrets/public.pem\n",
            ["app/main.sh"] = "echo main\n",
            ["app/debug.log"] = "noise\n",
            ["secrets/key.pem"] = "private\n",
            ["secrets/public.pem"] = "public\n",
        });
        var name = $"ignored/{UniqueName()}";

        var build = Must(context.Build("-t", name, "--network", "none"));
        var files = Must(RunSkiff("run", "--rm", name, "find", "/ctx", "-type", "f")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order();
        Assert.Equal(["/ctx/.dockerignore", "/ctx/Dockerfile", "/ctx/app/main.sh", "/ctx/secrets/public.pem"], files);

        // An ignored file changing is no change at all.
        context.Write("app/debug.log", "more noise\n");
        Assert.Equal(2, Count(Must(context.Build("-t", name, "--network", "none")).Stderr, "CACHED"));
        Assert.Contains("/ctx/app/main.sh", build.Stderr);
        Must(RunSkiff("rmi", name));
    }

    [Fact]
    public void Args_and_env_expand_and_user_and_workdir_hold_in_the_built_image()
    {
        const string dockerfile = """
            ARG BASE=busybox
            FROM ${BASE}
            ARG GREETING=hello
            ARG TARGET
            ENV APP_HOME=/opt/app GREETING_USED=${GREETING:-none}
            WORKDIR $APP_HOME
            RUN echo "$GREETING ${TARGET:-nobody}" > message && chown -R 1000:1000 /opt/app
            USER 1000:1000
            WORKDIR data
            RUN touch made-by-user
            CMD ["sh", "-c", "id -u; pwd; cat ../message; echo $GREETING_USED; echo ${GREETING:-unset}; stat -c %u made-by-user"]
            """;
        using var context = new BuildContextDir(dockerfile);
        var name = $"args/{UniqueName()}";

        var build = Must(context.Build("-t", name, "--network", "none", "--build-arg", "GREETING=hi", "--build-arg", "UNUSED=1"));
        Assert.Contains("[Warning] One or more build-args [UNUSED] were not consumed", build.Stderr);

        var lines = Must(RunSkiff("run", "--rm", name)).Stdout.Split('\n');
        Assert.Equal("1000", lines[0]);
        Assert.Equal("/opt/app/data", lines[1]);
        Assert.Equal("hi nobody", lines[2]);
        Assert.Equal("hi", lines[3]);
        // An ARG is the build's, never the image's environment.
        Assert.Equal("unset", lines[4]);
        Assert.Equal("1000", lines[5]);
        var config = ImageInspect(name).GetProperty("Config");
        Assert.Equal("1000:1000", config.GetProperty("User").GetString());
        Assert.Equal("/opt/app/data", config.GetProperty("WorkingDir").GetString());
        Must(RunSkiff("rmi", name));
    }

    [Fact]
    public void A_failing_run_ends_the_build_with_its_exit_code_naming_the_step_and_leaves_nothing_behind()
    {
        const string dockerfile = """
            FROM busybox
            RUN echo before > /before
            RUN echo about to fail && exit 3
            RUN echo never
            """;
        using var context = new BuildContextDir(dockerfile);
        var name = $"failing/{UniqueName()}";
        var imagesBefore = Must(RunSkiff("images", "-q")).Stdout;
        var containersBefore = Must(RunSkiff("ps", "-a", "-q")).Stdout;
        var bundlesBefore = ContainerDirs().Length;

        var build = context.Build("-t", name, "--network", "none");

        Assert.Equal(3, build.ExitCode);
        Assert.Matches(@"#4 \d+\.\d+ about to fail", build.Stderr);
        Assert.Contains("[3/4] RUN echo about to fail && exit 3", build.Stderr);
        Assert.Contains("did not complete successfully: exit code: 3", build.Stderr);
        Assert.DoesNotContain("never", build.Stderr.Replace("RUN echo never", ""));
        Assert.DoesNotContain("   at ", build.Stderr);
        Assert.Equal(imagesBefore, Must(RunSkiff("images", "-q")).Stdout);
        Assert.Equal(containersBefore, Must(RunSkiff("ps", "-a", "-q")).Stdout);
        Assert.Equal(bundlesBefore, ContainerDirs().Length);
    }

    [Fact]
    public void Bad_input_is_one_sentence_and_builds_nothing()
    {
        using var context = new BuildContextDir("FROM busybox\nCOPY missing.txt /\n");
        var missing = context.Build("--network", "none");
        Assert.Equal(125, missing.ExitCode);
        Assert.Contains("\"missing.txt\" not found in the build context", missing.Stderr);

        context.Write("Dockerfile", "FROM busybox\nENV BROKEN=${\n");
        Assert.Equal(125, context.Build().ExitCode);

        context.Write("Dockerfile", "FROM busybox\nADD https://example.com/x.tar.gz /x\n");
        var url = context.Build();
        Assert.Equal(125, url.ExitCode);
        Assert.Contains("remote sources are not fetched", url.Stderr);

        var network = context.Build("--network", "no-such-network");
        Assert.Equal(125, network.ExitCode);
        Assert.Contains("no-such-network", network.Stderr);
        Assert.DoesNotContain("#2 ", network.Stderr);

        var tag = context.Build("-t", "Bad:Name");
        Assert.Equal(125, tag.ExitCode);
        Assert.DoesNotContain("   at ", tag.Stderr + missing.Stderr + url.Stderr);
    }

    [Fact]
    public void Copy_chown_chmod_and_add_of_a_local_tar_archive()
    {
        const string dockerfile = """
            FROM busybox
            COPY --chown=nobody:nogroup --chmod=750 tool.sh /usr/local/bin/
            ADD bundle.tar.gz /opt/
            CMD ["sh", "-c", "ls -ln /usr/local/bin/tool.sh; cat /opt/bundle/inside.txt"]
            """;
        using var context = new BuildContextDir(dockerfile, new Dictionary<string, string> { ["tool.sh"] = "#!/bin/sh\necho tool\n", ["bundle/inside.txt"] = "unpacked\n" });
        Must(Sh($"cd {context.Path} && tar czf bundle.tar.gz bundle && rm -r bundle"));
        var name = $"copy/{UniqueName()}";

        Must(context.Build("-t", name, "--network", "none"));

        var lines = Must(RunSkiff("run", "--rm", name)).Stdout.Split('\n');
        Assert.StartsWith("-rwxr-x---", lines[0]);
        Assert.Contains(" 65534 ", lines[0]);
        Assert.Equal("unpacked", lines[1]);
        Must(RunSkiff("rmi", name));
    }

    [Fact]
    public void A_built_image_pushes_to_a_registry_and_runs_after_pulling_it_back()
    {
        using var registry = new LocalRegistry();
        using var context = new BuildContextDir(MultiStage, Program);
        var name = $"{registry.Host}/built/greeter:v1";
        Must(context.Build("-t", name));

        Must(RunSkiff("push", name));
        Must(RunSkiff("rmi", name));
        Must(RunSkiff("pull", name));

        Assert.Equal("hello from skiff\n", Must(RunSkiff("run", "--rm", name)).Stdout);
        Must(RunSkiff("rmi", name));
    }

    [Fact]
    public void A_run_layer_holds_the_commands_changes_and_not_the_runtimes_mount_points()
    {
        using var context = new BuildContextDir("FROM busybox\nRUN echo made > /made\n");
        var name = $"layer/{UniqueName()}";
        Must(context.Build("-t", name));
        var dir = Path.Join(Path.GetTempPath(), $"skiff-save-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            Must(RunSkiff("save", "-o", Path.Join(dir, "image.tar"), name));
            Must(Sh($"cd {dir} && tar xf image.tar"));
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Join(dir, "manifest.json")));
            var lastLayer = manifest.RootElement[0].GetProperty("Layers").EnumerateArray().Last().GetString()!;
            var members = Must(Run("tar", ["tf", Path.Join(dir, lastLayer)])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

            Assert.Contains("made", members);
            Assert.DoesNotContain(members, m => m.TrimEnd('/') is "etc/hosts" or "etc/hostname" or "etc/resolv.conf");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            Must(RunSkiff("rmi", name));
        }
    }

    [Fact]
    public void A_dockerfile_on_stdin_builds_without_a_context()
    {
        var r = SkiffWithInput("FROM busybox\nRUN echo from-stdin > /f\nLABEL origin=stdin\n", "build", "-q", "--network", "none", "-");

        Assert.True(r.ExitCode == 0, r.ToString());
        var id = r.Stdout.Trim();
        Assert.StartsWith("sha256:", id);
        Assert.Equal("from-stdin\n", Must(RunSkiff("run", "--rm", id, "cat", "/f")).Stdout);
        Must(RunSkiff("rmi", id));
    }

    /// <summary>The Debian image of scripts/test-images (a docker-archive skopeo wrote): FROM it, RUN its own tools.</summary>
    [Fact]
    public void A_build_on_the_Debian_image_runs_its_tools()
    {
        var archive = Environment.GetEnvironmentVariable("SKIFF_TEST_IMAGES") is { } cache ? Path.Join(cache, "debian", "docker.tar") : null;
        if (archive is null || !File.Exists(archive))
        {
            Console.Error.WriteLine("SKIPPED A_build_on_the_Debian_image_runs_its_tools: the Debian test image is missing (scripts/test builds it with scripts/test-images and sets SKIFF_TEST_IMAGES)");
            return;
        }
        Must(RunSkiff("load", "-i", archive));
        const string dockerfile = """
            FROM skiff-test/debian:12
            RUN dpkg-query -W -f '${Package}\n' | sort > /packages && grep -qx apt /packages \
             && useradd --uid 4242 --create-home builder
            USER builder
            WORKDIR /home/builder
            RUN id -un > whoami && sed -n 's/^PRETTY_NAME=//p' /etc/os-release >> whoami
            CMD ["cat", "whoami"]
            """;
        using var context = new BuildContextDir(dockerfile);
        var name = $"debian-built/{UniqueName()}";

        Must(context.Build("-t", name, "--network", "none"));

        Assert.Equal("builder\n\"Debian GNU/Linux 12 (bookworm)\"\n", Must(RunSkiff("run", "--rm", name)).Stdout);
        Must(RunSkiff("rmi", name));
    }

    private static string ImageId(string name) => ImageInspect(name).GetProperty("Id").GetString()!;

    private static JsonElement ImageInspect(string name) =>
        JsonDocument.Parse(Must(RunSkiff("image", "inspect", name)).Stdout).RootElement[0];

    private static int Count(string text, string what) => text.Split(what).Length - 1;
}
