using Skiff.Linux;
using Xunit;

namespace Skiff.UnitTests.Linux;

public sealed class WorkingSetTests
{
    private const string Maps = """
        00400000-00405000 r--p 00000000 fe:00 1234 /work/out/skiff/skiff
        00405000-00be2000 r-xp 00005000 fe:00 1234 /work/out/skiff/skiff
        01027000-012f5000 rw-p 00c27000 fe:00 1234 /work/out/skiff/skiff
        012f5000-0131d000 rw-p 00000000 00:00 0
        03001000-0304f000 rw-p 00000000 00:00 0                          [heap]
        7f0000000000-7f0000001000 rw-s 00000000 fe:00 99 /var/lib/skiff/skiff.db-shm
        7f55e85ab000-7f55e85d1000 r--p 00000000 fe:00 77 /usr/lib/x86_64-linux-gnu/libc.so.6
        7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                  [stack]
        """;

    [Fact]
    public void Only_private_mappings_of_files_are_candidates_never_anonymous_or_shared_memory()
    {
        var mappings = WorkingSet.PrivateFileMappings(Maps).ToList();
        Assert.Equal(
        [
            (0x00400000UL, 0x00405000UL), (0x00405000UL, 0x00be2000UL), (0x01027000UL, 0x012f5000UL),
            (0x7f55e85ab000UL, 0x7f55e85d1000UL),
        ], mappings);
    }

    [Fact]
    public void Pages_written_in_a_private_mapping_are_never_dropped()
    {
        // Six pages: file, file, written (anonymous copy), file, not present, file.
        ulong[] entries = [1UL << 61 | 1UL << 63, 1UL << 61 | 1UL << 63, 1UL << 63, 1UL << 61 | 1UL << 63, 0, 1UL << 61];
        var bytes = entries.SelectMany(BitConverter.GetBytes).ToArray();
        Assert.Equal([(0UL, 2UL), (3UL, 1UL), (5UL, 1UL)], WorkingSet.FilePageRuns(bytes).ToList());
    }
}
