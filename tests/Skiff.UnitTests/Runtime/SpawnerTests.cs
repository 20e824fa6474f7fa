using Skiff.Runtime.Spec;
using Skiff.Runtime.Start;

namespace Skiff.UnitTests.Runtime;

public sealed class SpawnerTests
{
    [Fact]
    public void Joined_namespaces_are_entered_with_a_private_fs_then_the_fresh_ones_unshared_all_but_cgroup_and_mount_joins()
    {
        var sys = new RecordingSyscalls("/nonexistent");

        new Spawner(sys).EnterNamespaces([
            new NamespaceSpec("network", "/proc/42/ns/net"), new NamespaceSpec("mount", "/proc/42/ns/mnt"),
            new NamespaceSpec("pid"), new NamespaceSpec("uts"), new NamespaceSpec("cgroup"),
        ]);

        // Init joins the mount namespace itself, and enters its cgroup namespace once it is in its cgroup.
        Assert.Equal(["unshare fs", "setns /proc/42/ns/net Network", "unshare Uts, Pid"], sys.Calls);
    }

    [Fact]
    public void Only_fresh_namespaces_need_no_private_fs()
    {
        var sys = new RecordingSyscalls("/nonexistent");

        new Spawner(sys).EnterNamespaces([new NamespaceSpec("pid"), new NamespaceSpec("network"), new NamespaceSpec("mount")]);

        Assert.Equal(["unshare Mount, Pid, Network"], sys.Calls);
    }
}
