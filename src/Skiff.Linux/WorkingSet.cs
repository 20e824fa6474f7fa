using System.Buffers.Binary;
using System.Globalization;

namespace Skiff.Linux;

/// <summary>
/// Gives back the memory a long-lived process (a container's monitor) used only to get going: the
/// garbage of start-up, and the pages of the executable that starting a container touched (the
/// database, the spec, the runtime) but relaying its output never will. Those file pages stay in
/// the page cache for every other Skiff process; this process only stops mapping them, and maps
/// again, on first touch, whatever it still uses.
/// </summary>
public static class WorkingSet
{
    private const int MadvDontNeed = 4;
    private const int PageSize = 4096;
    // /proc/PID/pagemap: bit 61 is set for a page that is the file's own page (never written here).
    private const ulong FilePageBit = 1UL << 61;

    public static void Trim()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var pagemap = File.OpenHandle("/proc/self/pagemap");
        foreach (var (start, end) in PrivateFileMappings(File.ReadAllText("/proc/self/maps")))
        {
            var entries = new byte[(end - start) / PageSize * 8];
            RandomAccess.Read(pagemap, entries, (long)(start / PageSize * 8));
            foreach (var (first, count) in FilePageRuns(entries))
                Libc.madvise((nint)(start + first * PageSize), (nuint)(count * PageSize), MadvDontNeed);
        }
    }

    /// <summary>
    /// Private mappings of files, of any protection. In a private mapping a page that was ever
    /// written (a relocated pointer, a static field) became an anonymous copy; only the others are
    /// the file's own pages, which dropping and reading back leaves the same.
    /// </summary>
    internal static IEnumerable<(ulong Start, ulong End)> PrivateFileMappings(string maps)
    {
        foreach (var line in maps.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "start-end perms offset dev inode path"
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[1][3] != 'p' || !fields[5].StartsWith('/')) continue;
            var range = fields[0].Split('-');
            yield return (ulong.Parse(range[0], NumberStyles.HexNumber), ulong.Parse(range[1], NumberStyles.HexNumber));
        }
    }

    /// <summary>Runs of consecutive file pages (index of the first, count) in a mapping's pagemap entries.</summary>
    internal static IEnumerable<(ulong First, ulong Count)> FilePageRuns(byte[] entries)
    {
        ulong pages = (ulong)entries.Length / 8, runStart = 0, runLength = 0;
        for (ulong i = 0; i < pages; i++)
        {
            if ((BinaryPrimitives.ReadUInt64LittleEndian(entries.AsSpan((int)(i * 8))) & FilePageBit) != 0)
            {
                if (runLength == 0) runStart = i;
                runLength++;
                continue;
            }
            if (runLength > 0) yield return (runStart, runLength);
            runLength = 0;
        }
        if (runLength > 0) yield return (runStart, runLength);
    }
}
