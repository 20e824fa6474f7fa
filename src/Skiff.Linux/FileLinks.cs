namespace Skiff.Linux;

/// <summary>Hard links, which .NET's file API lacks.</summary>
public static class FileLinks
{
    /// <summary>A second name for the same inode: a change made in place through either is seen through both.</summary>
    public static void HardLink(string existing, string newPath) =>
        SyscallException.Check(Libc.link(existing, newPath), $"link {existing} to {newPath}");
}
