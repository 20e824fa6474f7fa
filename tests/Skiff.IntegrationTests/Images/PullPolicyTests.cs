using static Skiff.IntegrationTests.Images.ImageTools;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Images;

/// <summary>run/create --pull against Debian's docker-registry on loopback, with an image umoci made and skopeo pushed.</summary>
[Collection("images")]
public sealed class PullPolicyTests
{
    [Fact]
    public void Run_pulls_a_missing_image_and_never_means_never()
    {
        using var registry = new LocalRegistry();
        var name = $"{registry.Host}/umoci/pulled-by-run:v1";
        PushUmociImage(name, "pulled by run");

        var never = RunSkiff("run", "--rm", "--pull", "never", name, "/bin/busybox", "true");
        Assert.Equal(125, never.ExitCode);
        Assert.Contains($"image '{name}' not found locally", never.Stderr);

        var run = Must(RunSkiff("run", "--rm", name, "/bin/busybox", "cat", "/greeting"));
        Assert.Equal("pulled by run\n", run.Stdout);
        Assert.Contains($"Unable to find image '{name}' locally", run.Stderr);
        Assert.Contains($"Status: Downloaded newer image for {name}", run.Stderr);

        // Here now: the default policy does not pull again; always does, and finds it up to date.
        Assert.DoesNotContain("Pulling", Must(RunSkiff("run", "--rm", name, "/bin/busybox", "true")).Stderr);
        var always = Must(RunSkiff("create", "--pull", "always", name, "/bin/busybox", "true"));
        Assert.Contains($"Status: Image is up to date for {name}", always.Stderr);
        Must(RunSkiff("rm", always.Stdout.Trim()));
        Must(RunSkiff("rmi", name));
    }

    [Fact]
    public void A_misspelt_pull_policy_is_refused_before_anything_is_made()
    {
        var name = UniqueName();
        var r = RunSkiff("create", "--name", name, "--pull", "sometimes", "busybox", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("skiff: invalid --pull \"sometimes\": use always, missing or never\n", r.Stderr);
        Assert.NotEqual(0, RunSkiff("inspect", name).ExitCode);
    }
}
