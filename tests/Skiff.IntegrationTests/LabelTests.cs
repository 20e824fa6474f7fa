using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>Labels from run flags, a label file and the image, seen in inspect and used by ps filters.</summary>
public sealed class LabelTests
{
    [Fact]
    public void Labels_come_from_flags_files_and_the_image_and_filter_ps()
    {
        var source = UniqueName();
        var image = $"labelled-{UniqueName()}";
        var name = UniqueName();
        var other = UniqueName();
        var file = Path.GetTempFileName();
        var mine = $"z-{name}"; // sorts last among this container's labels
        try
        {
            Assert.Equal(0, RunSkiff("run", "--name", source, "busybox", "true").ExitCode);
            Assert.Equal(0, RunSkiff("commit", "--change", "LABEL from.image=yes tier=image", source, image).ExitCode);
            File.WriteAllText(file, "team=core\n");
            RunDetached("--name", name, "-l", "tier=web", "--label", mine, "--label-file", file, image, "sleep", "1000");
            RunDetached("--name", other, "-l", "tier=db", "busybox", "sleep", "1000");

            var labels = Inspect(name).GetProperty("Config").GetProperty("Labels");
            Assert.Equal("yes", labels.GetProperty("from.image").GetString());
            Assert.Equal("web", labels.GetProperty("tier").GetString());
            Assert.Equal("core", labels.GetProperty("team").GetString());
            Assert.Equal("", labels.GetProperty(mine).GetString());

            Assert.Equal($"{name}\n", RunSkiff("ps", "--filter", $"label={mine}", "--format", "{{.Names}}").Stdout);
            Assert.Equal($"{other}\n", RunSkiff("ps", "--filter", "label=tier=db", "--filter", $"name={other}", "--format", "{{.Names}}").Stdout);
            Assert.Equal($"from.image=yes,team=core,tier=web,{mine}=\n", RunSkiff("ps", "--filter", $"label={mine}", "--format", "{{.Labels}}").Stdout);
        }
        finally
        {
            File.Delete(file);
            RunSkiff("rm", "-f", name, other, source);
            RunSkiff("rmi", image);
        }
    }
}
