using static Skiff.IntegrationTests.BridgeNetworkTests;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>A state directory of its own on a small tmpfs (inside the test's mount namespace), removed afterwards.</summary>
internal sealed class SmallStateRoot : IDisposable
{
    public string Root { get; } = Path.Join("/run", UniqueName());

    public SmallStateRoot(string size)
    {
        Directory.CreateDirectory(Root);
        Ok(Sh($"mount -t tmpfs -o size={size},mode=0700 skiff-fault {Root}"));
    }

    public RunResult Skiff(params string[] args) =>
        Run(Binary, args, env: new Dictionary<string, string> { ["SKIFF_ROOT"] = Root });

    /// <summary>skiff for a step that moves a whole image (a pull of the Debian image): minutes on a shared machine, not the usual bound.</summary>
    public RunResult Heavy(params string[] args) =>
        Run(Binary, args, timeout: TimeSpan.FromMinutes(10), env: new Dictionary<string, string> { ["SKIFF_ROOT"] = Root });

    /// <summary>skiff killed by SIGKILL at the named crash point (SKIFF_CRASH_AT).</summary>
    public RunResult KilledAt(string point, params string[] args) =>
        Run(Binary, args, timeout: TimeSpan.FromMinutes(10), env: new Dictionary<string, string> { ["SKIFF_ROOT"] = Root, ["SKIFF_CRASH_AT"] = point });

    /// <summary>Fills the filesystem up to its last byte.</summary>
    public void Fill() => Sh($"dd if=/dev/zero of={Root}/filler bs=64k 2>/dev/null; sync");

    public void Free() => File.Delete(Path.Join(Root, "filler"));

    /// <summary>Fills the filesystem, then gives back <paramref name="kib"/> KiB: room for the database's small writes, none for a layer or a file copied in.</summary>
    public void FillLeaving(int kib) => Sh($"dd if=/dev/zero of={Root}/filler bs=64k 2>/dev/null; truncate -s -{kib}K {Root}/filler; sync");

    /// <summary>Gives the filesystem room for everything (tmpfs resizes in place).</summary>
    public void Grow(string size) => Ok(Sh($"mount -o remount,size={size} {Root}"));

    public string Status(string container) =>
        System.Text.Json.JsonDocument.Parse(Ok(Skiff("inspect", container)).Stdout).RootElement[0].GetProperty("State").GetProperty("Status").GetString()!;

    /// <summary>Temp entries of interrupted writes anywhere under the state directory, one per line.</summary>
    public string Leftovers() => Sh($"find {Root} -name '*.tmp-*'").Stdout;

    public void Dispose()
    {
        foreach (var id in Skiff("ps", "-aq", "--no-trunc").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)) Skiff("rm", "-f", id);
        Sh($"umount -l {Root}");
        Directory.Delete(Root);
    }
}
