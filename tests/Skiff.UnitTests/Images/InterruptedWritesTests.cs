using Skiff.Images;

namespace Skiff.UnitTests.Images;

/// <summary>What a writer killed half-way leaves in the image store goes at the next sweep; what a live writer is writing stays.</summary>
public sealed class InterruptedWritesTests : IDisposable
{
    // Above the kernel's largest pid_max (2^22): never a running process.
    private const int DeadWriter = 99_999_999;
    private readonly TempDir _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void A_sweep_removes_a_dead_writer_s_temp_blobs_and_snapshots_and_keeps_a_live_writer_s_and_complete_ones()
    {
        var store = new ImageStore(_root.Path);
        var blob = store.Content.WriteBytes("kept"u8);
        var blobs = Path.GetDirectoryName(store.Content.Path(blob))!;
        var snapshots = Path.Join(_root.Path, "snapshots");
        File.WriteAllText(Path.Join(blobs, $".tmp-{DeadWriter}-0123abcd"), "cut short");
        File.WriteAllText(Path.Join(blobs, $".tmp-{Environment.ProcessId}-4567ef01"), "being written");
        Directory.CreateDirectory(Path.Join(snapshots, $".tmp-{DeadWriter}-0123456789ab-cafe", "usr", "bin"));
        Directory.CreateDirectory(Path.Join(snapshots, $".tmp-{DeadWriter}-0123456789ab-removing-beef"));
        File.WriteAllText(Path.Join(_root.Path, $"references.json.tmp-{DeadWriter}"), "{");

        using (store.LeaseForWriting())
        {
            Assert.Equal([$".tmp-{Environment.ProcessId}-4567ef01", blob.Hex], Directory.GetFiles(blobs).Select(Path.GetFileName).Order());
            Assert.Empty(Directory.GetFileSystemEntries(snapshots));
            Assert.False(File.Exists(Path.Join(_root.Path, $"references.json.tmp-{DeadWriter}")));
        }
        Assert.Equal("kept"u8.ToArray(), store.Content.ReadBytes(blob));
    }
}
