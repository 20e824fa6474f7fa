using System.Formats.Tar;
using System.Text.Json;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>commit, cp, export, top, stats, pause/unpause, rename, container prune, and images held by containers.</summary>
public sealed class ContainerToolsTests : IDisposable
{
    private readonly List<string> _containers = [];
    private readonly List<string> _images = [];
    private readonly string _host = Directory.CreateTempSubdirectory("skiff-tools-").FullName;

    public void Dispose()
    {
        foreach (var c in _containers) RunSkiff("rm", "-f", c);
        foreach (var i in _images) RunSkiff("rmi", "-f", i);
        Directory.Delete(_host, recursive: true);
    }

    private string Name()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..10];
        _containers.Add(name);
        return name;
    }

    private string Detached(params string[] args)
    {
        var name = Name();
        Ok(RunSkiff(["run", "-d", "--name", name, .. args]));
        return name;
    }

    private static RunResult Ok(RunResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    [Fact]
    public void Commit_makes_an_image_whose_containers_see_exactly_the_changes()
    {
        var ctr = Name();
        Ok(RunSkiff("run", "--name", ctr, "busybox", "sh", "-c",
            "echo added > /added.txt && echo changed > /etc/hostname.orig && rm /bin/vi && mkdir -p /opq && rm -rf /var && mkdir /var && echo fresh > /var/only"));
        var image = "skiff-commit-" + Guid.NewGuid().ToString("N")[..8] + ":v1";
        _images.Add(image);

        var id = Ok(RunSkiff("commit", "-m", "a message", "--change", "ENV FOO=bar", "--change", "WORKDIR /var", ctr, image)).Stdout.Trim();

        Assert.Matches("^sha256:[0-9a-f]{64}$", id);
        var check = Ok(RunSkiff("run", "--rm", image, "sh", "-c",
            "cat /added.txt; cat /etc/hostname.orig; test -e /bin/vi && echo vi-present; ls /var; echo $FOO; pwd; test -e /bin/ls && echo ls-present"));
        Assert.Equal("added\nchanged\nonly\nbar\n/var\nls-present\n", check.Stdout);
        Assert.Contains("a message", Ok(RunSkiff("image", "history", "--no-trunc", image)).Stdout);
    }

    [Fact]
    public void Cp_copies_both_ways_keeping_modes()
    {
        var ctr = Detached("busybox", "sleep", "1000");
        var source = Path.Join(_host, "script.sh");
        File.WriteAllText(source, "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(source, (UnixFileMode)0b111_101_000);
        Directory.CreateDirectory(Path.Join(_host, "tree/sub"));
        File.WriteAllText(Path.Join(_host, "tree/sub/f"), "deep");

        Ok(RunSkiff("cp", source, $"{ctr}:/tmp/"));
        Ok(RunSkiff("cp", Path.Join(_host, "tree"), $"{ctr}:/copied"));
        Assert.Equal("-rwxr-x--- hi deep\n", Ok(RunSkiff("exec", ctr, "sh", "-c", "echo $(stat -c %A /tmp/script.sh) $(/tmp/script.sh) $(cat /copied/sub/f)")).Stdout);

        Ok(RunSkiff("exec", ctr, "sh", "-c", "echo out > /o.txt && chmod 604 /o.txt"));
        var back = Path.Join(_host, "back.txt");
        Ok(RunSkiff("cp", $"{ctr}:/o.txt", back));
        Assert.Equal("out\n", File.ReadAllText(back));
        Assert.Equal((UnixFileMode)0b110_000_100, File.GetUnixFileMode(back));

        // "-" is a tar stream on stdout.
        var tar = Path.Join(_host, "o.tar");
        Ok(Sh($"{Binary} cp {ctr}:/o.txt - > {tar}"));
        using var reader = new TarReader(File.OpenRead(tar));
        var entry = reader.GetNextEntry()!;
        Assert.Equal("o.txt", entry.Name);
        Assert.Equal((UnixFileMode)0b110_000_100, entry.Mode);
    }

    [Fact]
    public void Cp_through_a_symlink_in_the_container_stays_inside_the_container()
    {
        var ctr = Detached("busybox", "sleep", "1000");
        var marker = "skiff-escape-" + Guid.NewGuid().ToString("N")[..8];
        Ok(RunSkiff("exec", ctr, "ln", "-s", "/tmp", "/hostlink"));
        Ok(RunSkiff("exec", ctr, "ln", "-s", "../../../../tmp/" + marker, "/relative"));
        var source = Path.Join(_host, "payload");
        File.WriteAllText(source, "payload");

        Ok(RunSkiff("cp", source, $"{ctr}:/hostlink/{marker}"));
        Ok(RunSkiff("cp", source, $"{ctr}:/relative"));

        Assert.False(File.Exists("/tmp/" + marker), "the copy reached the host's /tmp");
        Assert.Equal("payload", Ok(RunSkiff("exec", ctr, "cat", "/tmp/" + marker)).Stdout);
        // Reading back through the link also resolves inside the container.
        Ok(RunSkiff("cp", $"{ctr}:/hostlink/{marker}", Path.Join(_host, "read-back")));
        Assert.Equal("payload", File.ReadAllText(Path.Join(_host, "read-back")));
    }

    [Fact]
    public void Export_and_cp_of_a_stopped_container_read_its_layers_and_changes()
    {
        var ctr = Name();
        Ok(RunSkiff("run", "--name", ctr, "busybox", "sh", "-c", "echo new > /new.txt && rm /bin/vi"));
        var tar = Path.Join(_host, "export.tar");

        Ok(RunSkiff("export", "-o", tar, ctr));

        var names = new HashSet<string>();
        using (var reader = new TarReader(File.OpenRead(tar)))
            while (reader.GetNextEntry() is { } e) names.Add(e.Name.TrimEnd('/'));
        Assert.Contains("new.txt", names);
        Assert.Contains("bin/sh", names);
        Assert.DoesNotContain("bin/vi", names);
        Assert.DoesNotContain(names, n => n.Contains(".wh.", StringComparison.Ordinal));

        Ok(RunSkiff("cp", $"{ctr}:/new.txt", Path.Join(_host, "new.txt")));
        Assert.Equal("new\n", File.ReadAllText(Path.Join(_host, "new.txt")));
        var gone = RunSkiff("cp", $"{ctr}:/bin/vi", Path.Join(_host, "vi"));
        Assert.Equal(125, gone.ExitCode);
        Assert.Contains("no such file", gone.Stderr);
        var into = RunSkiff("cp", Path.Join(_host, "new.txt"), $"{ctr}:/x");
        Assert.Equal(125, into.ExitCode);
        Assert.Contains("not running", into.Stderr);
    }

    [Fact]
    public void Top_lists_the_container_processes_and_stats_shows_the_memory_limit()
    {
        var ctr = Detached("-m", "64m", "busybox", "sh", "-c", "sleep 1000 & sleep 2000");
        Eventually(() => RunSkiff("top", ctr).Stdout.Contains("sleep 2000"), "top shows the second sleep");

        var top = Ok(RunSkiff("top", ctr)).Stdout;
        Assert.StartsWith("PID", top);
        Assert.Contains("sleep 1000", top);
        Assert.DoesNotContain("dotnet", top);
        Assert.Contains("sleep", Ok(RunSkiff("top", ctr, "-o", "pid,comm")).Stdout);

        var stats = Ok(RunSkiff("stats", "--no-stream", ctr)).Stdout;
        Assert.Contains("MEM USAGE / LIMIT", stats);
        Assert.Contains("/ 64MiB", stats);
        Assert.Contains(ctr, stats);
    }

    [Fact]
    public void Pause_stops_progress_and_unpause_resumes_it()
    {
        var ctr = Detached("busybox", "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /count; sleep 0.05; done");
        string Count() => Ok(RunSkiff("exec", ctr, "cat", "/count")).Stdout.Trim();
        // exec cannot run in a frozen container; cp reads its files from outside.
        string CountWhilePaused() => Ok(Sh($"{Binary} cp {ctr}:/count - | tar -xO")).Stdout;
        Eventually(() => RunSkiff("exec", ctr, "cat", "/count").ExitCode == 0, "the counter runs");

        Ok(RunSkiff("pause", ctr));
        Assert.Equal("paused", Status(ctr));
        var before = CountWhilePaused();
        Thread.Sleep(700);
        Assert.Equal(before, CountWhilePaused());
        Assert.NotEqual(0, RunSkiff("pause", ctr).ExitCode);

        Ok(RunSkiff("unpause", ctr));
        Assert.Equal("running", Status(ctr));
        var resumed = Count();
        Eventually(() => Count() != resumed, "the counter advances again");

        // stop of a paused container works: the freezer is thawed first.
        Ok(RunSkiff("pause", ctr));
        Ok(RunSkiff("stop", "-t", "1", ctr));
        Assert.Equal("exited", Status(ctr));
    }

    [Fact]
    public void Rename_checks_the_name_and_keeps_names_unique()
    {
        var a = Detached("busybox", "sleep", "1000");
        var b = Name();
        Ok(RunSkiff("create", "--name", b, "busybox", "true"));
        var renamed = Name();

        Ok(RunSkiff("rename", a, renamed));
        Assert.Contains(renamed, Ok(RunSkiff("ps")).Stdout);
        Assert.NotEqual(0, RunSkiff("inspect", a).ExitCode);
        var taken = RunSkiff("rename", renamed, b);
        Assert.Equal(125, taken.ExitCode);
        Assert.Contains("already in use", taken.Stderr);
        var invalid = RunSkiff("rename", renamed, "bad/name");
        Assert.Equal(125, invalid.ExitCode);
        Assert.Contains("invalid container name", invalid.Stderr);
    }

    [Fact]
    public void Rmi_is_refused_while_a_container_uses_the_image()
    {
        // An image of its own (rmi of one name among several is only an untag, never refused).
        var source = Name();
        Ok(RunSkiff("run", "--name", source, "busybox", "touch", "/held"));
        var image = "skiff-held-" + Guid.NewGuid().ToString("N")[..8] + ":v1";
        _images.Add(image);
        Ok(RunSkiff("commit", source, image));
        var ctr = Name();
        Ok(RunSkiff("create", "--name", ctr, image, "true"));

        var refused = RunSkiff("rmi", image);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("used by 1 container", refused.Stderr);

        Ok(RunSkiff("rm", ctr));
        Ok(RunSkiff("rmi", image));
    }
}

/// <summary>Prune removes every stopped container, so it runs alone, not beside other tests' containers.</summary>
[Collection("host state")]
public sealed class ContainerPruneTests
{
    [Fact]
    public void Container_prune_removes_stopped_containers_only()
    {
        var running = "t" + Guid.NewGuid().ToString("N")[..10];
        var exited = "t" + Guid.NewGuid().ToString("N")[..10];
        try
        {
            Assert.Equal(0, RunSkiff("run", "-d", "--name", running, "busybox", "sleep", "1000").ExitCode);
            Assert.Equal(0, RunSkiff("run", "--name", exited, "busybox", "true").ExitCode);
            var exitedId = RunSkiff("ps", "-aq", "--no-trunc", "-f", "name=" + exited).Stdout.Trim();

            var prune = RunSkiff("container", "prune", "-f");

            Assert.True(prune.ExitCode == 0, prune.ToString());
            Assert.Contains("Deleted Containers:", prune.Stdout);
            Assert.Contains(exitedId, prune.Stdout);
            Assert.Contains("Total reclaimed space:", prune.Stdout);
            Assert.NotEqual(0, RunSkiff("inspect", exited).ExitCode);
            Assert.Contains(running, RunSkiff("container", "ls").Stdout);
        }
        finally
        {
            RunSkiff("rm", "-f", running, exited);
        }
    }
}
