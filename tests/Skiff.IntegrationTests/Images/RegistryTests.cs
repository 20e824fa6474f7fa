using System.Text.Json;
using static Skiff.IntegrationTests.Images.ImageTools;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Images;

/// <summary>Pull and push against Debian's real docker-registry on loopback, with images that umoci
/// and skopeo made and read.</summary>
[Collection("images")]
public sealed class RegistryTests
{
    [Fact]
    public void An_image_made_by_umoci_and_pushed_by_skopeo_pulls_and_runs()
    {
        using var registry = new LocalRegistry();
        var name = $"{registry.Host}/umoci/greeter:v1";
        PushUmociImage(name, "hello from umoci");

        var pull = Must(RunSkiff("pull", name));
        Assert.Contains("Status: Downloaded newer image", pull.Stdout);
        var run = Must(RunSkiff("run", "--rm", name, "/bin/busybox", "cat", "/greeting"));
        Assert.Equal("hello from umoci\n", run.Stdout);

        var again = Must(RunSkiff("pull", name));
        Assert.Contains("Image is up to date", again.Stdout);
        Assert.Contains("Already exists", again.Stderr);
        Must(RunSkiff("rmi", name));
    }

    [Theory]
    [InlineData("oci")]
    [InlineData("v2s2")]
    public void An_image_whose_layer_umoci_insert_wrote_pulls_and_runs(string format)
    {
        using var registry = new LocalRegistry();
        var name = $"{registry.Host}/test/busybox:{format}";
        PushUmociInsertedImage(name, format);

        var pull = RunSkiff("pull", name);

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Equal("from an inserted layer\n", Must(RunSkiff("run", "--rm", name, "echo", "from an inserted layer")).Stdout);
        Assert.Equal(new FileInfo("/bin/busybox").Length.ToString(), Must(RunSkiff("run", "--rm", name, "sh", "-c", "ls -l /bin/busybox | while read m l u g size rest; do echo $size; done")).Stdout.Trim());
        Must(RunSkiff("rmi", name));
    }

    [Fact]
    public void What_skiff_pushes_skopeo_inspects_and_copies_back()
    {
        using var registry = new LocalRegistry();
        var name = $"{registry.Host}/skiff/busybox:pushed";
        Must(RunSkiff("tag", "busybox", name));

        var push = Must(RunSkiff("push", name));
        var digest = push.Stdout.Split(' ')[2];

        var inspect = Must(Run("skopeo", ["inspect", "--tls-verify=false", $"docker://{name}"]));
        using var json = JsonDocument.Parse(inspect.Stdout);
        Assert.Equal(digest, json.RootElement.GetProperty("Digest").GetString());
        var copyDir = Path.Join(Path.GetTempPath(), $"skiff-copy-{Guid.NewGuid():N}");
        try
        {
            Must(Run("skopeo", ["copy", "--src-tls-verify=false", $"docker://{name}", $"oci:{copyDir}:x"]));
            Assert.True(File.Exists(Path.Join(copyDir, "index.json")));
        }
        finally
        {
            Directory.Delete(copyDir, recursive: true);
        }

        // A second push finds every blob there already.
        Assert.Contains("Already exists", Must(RunSkiff("push", name)).Stderr);
        Must(RunSkiff("rmi", name));
    }

    [Fact]
    public void A_second_repository_of_the_same_registry_gets_the_blobs_mounted_not_uploaded()
    {
        using var registry = new LocalRegistry();
        var first = $"{registry.Host}/skiff/first:v1";
        var second = $"{registry.Host}/skiff/second:v1";
        Must(RunSkiff("tag", "busybox", first));
        Must(RunSkiff("tag", "busybox", second));

        var upload = Must(RunSkiff("push", first)).Stderr;
        Assert.Equal(2, Lines(upload, ": Pushed").Length); // the config and the one layer
        var mount = Must(RunSkiff("push", second)).Stderr;

        Assert.Equal(2, Lines(mount, ": Mounted from skiff/first").Length);
        Assert.Empty(Lines(mount, ": Pushing"));
        Assert.Empty(Lines(mount, ": Pushed"));
        var inspect = Must(Run("skopeo", ["inspect", "--tls-verify=false", $"docker://{second}"]));
        Assert.Single(JsonDocument.Parse(inspect.Stdout).RootElement.GetProperty("Layers").EnumerateArray());
        Must(RunSkiff("rmi", first, second));
    }

    [Fact]
    public void A_mount_from_a_repository_that_lacks_the_blob_falls_back_to_uploading()
    {
        using var registry = new LocalRegistry();
        var neverPushed = $"{registry.Host}/skiff/never-pushed:v1";
        var target = $"{registry.Host}/skiff/target:v1";
        Must(RunSkiff("tag", "busybox", neverPushed));
        Must(RunSkiff("tag", "busybox", target));

        var push = Must(RunSkiff("push", target)).Stderr;

        // The registry answered each mount with 202 and an upload session, and Skiff uploaded into it.
        Assert.Equal(2, Lines(push, ": Pushed").Length);
        Assert.Empty(Lines(push, "Mounted from"));
        var copyDir = Path.Join(Path.GetTempPath(), $"skiff-copy-{Guid.NewGuid():N}");
        try
        {
            Must(Run("skopeo", ["copy", "--src-tls-verify=false", $"docker://{target}", $"dir:{copyDir}"]));
        }
        finally
        {
            Directory.Delete(copyDir, recursive: true);
        }
        Must(RunSkiff("rmi", neverPushed, target));
    }

    private static string[] Lines(string output, string containing) =>
        output.Split('\n').Where(l => l.Contains(containing, StringComparison.Ordinal)).ToArray();

    [Fact]
    public void Pull_by_digest_is_verified_and_kept_under_that_digest()
    {
        using var registry = new LocalRegistry();
        var name = $"{registry.Host}/umoci/pinned";
        PushUmociImage(name + ":v1", "pinned");
        var digest = JsonDocument.Parse(Must(Run("skopeo", ["inspect", "--tls-verify=false", $"docker://{name}:v1"])).Stdout)
            .RootElement.GetProperty("Digest").GetString();

        Must(RunSkiff("pull", $"{name}@{digest}"));
        Assert.Equal("pinned\n", Must(RunSkiff("run", "--rm", $"{name}@{digest}", "/bin/busybox", "cat", "/greeting")).Stdout);
        Assert.Contains(digest!, Must(RunSkiff("images", "--digests")).Stdout);
        Must(RunSkiff("rmi", $"{name}@{digest}"));
    }

    [Fact]
    public void A_registry_with_htpasswd_needs_login_and_accepts_it()
    {
        using var registry = new LocalRegistry("skiffuser", "s3cret-pass");
        var name = $"{registry.Host}/private/shell:v1";
        Must(RunSkiff("tag", "busybox", name));

        var refused = RunSkiff("push", name);
        Assert.Equal(125, refused.ExitCode);
        Assert.Contains($"skiff login {registry.Host}", refused.Stderr);

        var wrong = SkiffWithInput("nope\n", "login", "-u", "skiffuser", "--password-stdin", registry.Host);
        Assert.Equal(125, wrong.ExitCode);

        Must(SkiffWithInput("s3cret-pass\n", "login", "-u", "skiffuser", "--password-stdin", registry.Host));
        var auth = Path.Join(StateRoot, "auth.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(auth));
        Assert.DoesNotContain("s3cret-pass", File.ReadAllText(auth));

        Must(RunSkiff("push", name));
        Must(RunSkiff("rmi", name));
        Must(RunSkiff("pull", name));
        Must(Run("skopeo", ["inspect", "--tls-verify=false", "--creds", "skiffuser:s3cret-pass", $"docker://{name}"]));

        Must(RunSkiff("logout", registry.Host));
        Must(RunSkiff("rmi", name));
        Assert.Equal(125, RunSkiff("pull", name).ExitCode);
    }
}

[CollectionDefinition("images", DisableParallelization = true)]
public sealed class ImagesCollection;
