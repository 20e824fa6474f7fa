using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

[Collection("host state")]
public sealed class HostStateTests
{
    [Fact]
    public void Mount_table_and_cgroups_are_unchanged_after_20_runs()
    {
        var mountsBefore = File.ReadAllText("/proc/self/mountinfo");
        var cgroupsBefore = SkiffCgroups();
        var containersBefore = ContainerDirs();
        for (var i = 0; i < 20; i++)
        {
            var r = RunSkiff("run", "--rm", "-m", "64m", "--pids-limit", "100", "busybox", "sh", "-c", "echo $$ > /tmp/pid; cat /tmp/pid");
            Assert.True(r.ExitCode == 0 && r.Stdout == "1\n", r.ToString());
        }
        Assert.Equal(mountsBefore, File.ReadAllText("/proc/self/mountinfo"));
        Assert.Equal(cgroupsBefore, SkiffCgroups());
        Assert.Equal(containersBefore, ContainerDirs());
    }
}
