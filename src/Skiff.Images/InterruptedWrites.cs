namespace Skiff.Images;

/// <summary>
/// What writers killed half-way left in the store: temp blobs, half-unpacked snapshots, snapshots
/// half-removed, name tables never renamed into place. Every temp name carries its writer's pid, so
/// a sweep tells a dead writer's leftovers from a live writer's work without a lock every writer
/// (a run unpacking a missing snapshot, the built-in image made on first use) would have to take.
/// </summary>
internal static class InterruptedWrites
{
    private const string Prefix = ".tmp-";

    /// <summary>A temp name in the store's directories, ".tmp-PID-TAG": never a digest, so never listed as content.</summary>
    public static string TempName(string tag) => $"{Prefix}{Environment.ProcessId}-{tag}";

    /// <summary>A temp name beside <paramref name="path"/>, "PATH.tmp-PID".</summary>
    public static string TempBeside(string path) => $"{path}{Prefix}{Environment.ProcessId}";

    /// <summary>Removes the temp entries of <paramref name="directory"/> whose writer no longer runs.</summary>
    public static void Sweep(string directory)
    {
        if (!Directory.Exists(directory))
            return;
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, $"*{Prefix}*"))
        {
            var name = Path.GetFileName(entry);
            var owner = name[(name.IndexOf(Prefix, StringComparison.Ordinal) + Prefix.Length)..].Split('-')[0];
            if (!int.TryParse(owner, out var pid) || Directory.Exists($"/proc/{pid}"))
                continue;
            try
            {
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            catch (DirectoryNotFoundException)
            {
                // Another sweep was first.
            }
        }
    }
}
