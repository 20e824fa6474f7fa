using System.Runtime.InteropServices;
using System.Text;

namespace Skiff.Linux.Cgroups;

/// <summary>
/// What managing a cgroup asks of the kernel: cgroupfs files and directories, and SIGKILL for
/// processes left behind. The real implementation calls the kernel; unit tests use a fake tree
/// that behaves like cgroupfs (files appear on mkdir, rmdir of a populated group fails).
/// Every failure is a <see cref="SyscallException"/> naming the path and, for writes, the value.
/// </summary>
public interface ICgroupFs
{
    bool FileExists(string path);
    bool DirectoryExists(string path);
    string Read(string path);
    /// <summary>One write(2) of the whole value: cgroupfs parses each write on its own.</summary>
    void Write(string path, string value);
    /// <summary>Creates the directory; false when it already existed.</summary>
    bool MakeDirectory(string path);
    void RemoveDirectory(string path);
    /// <summary>Sends SIGKILL; false when the process is already gone.</summary>
    bool Kill(int pid);
}

public sealed partial class CgroupFs : ICgroupFs
{
    public static readonly CgroupFs Instance = new();

    private const int SigKill = 9;

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public string Read(string path)
    {
        var fd = FileDescriptors.Open(path, FileDescriptors.ORdonly);
        try
        {
            var text = new StringBuilder();
            Span<byte> buffer = stackalloc byte[4096];
            int n;
            while ((n = FileDescriptors.Read(fd, buffer)) > 0) text.Append(Encoding.UTF8.GetString(buffer[..n]));
            return text.ToString();
        }
        finally
        {
            FileDescriptors.Close(fd);
        }
    }

    public void Write(string path, string value)
    {
        // No O_CREAT: a missing file means the controller is not there, which must not go unnoticed.
        var fd = FileDescriptors.Open(path, FileDescriptors.OWronly);
        try
        {
            FileDescriptors.WriteAll(fd, Encoding.UTF8.GetBytes(value));
        }
        catch (SyscallException e)
        {
            throw new SyscallException($"write \"{value}\" to {path}", e.Errno);
        }
        finally
        {
            FileDescriptors.Close(fd);
        }
    }

    public bool MakeDirectory(string path)
    {
        if (mkdir(path, 0x1ed /* 0755 */) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        return errno == Errno.EEXIST ? false : throw new SyscallException($"mkdir {path}", errno);
    }

    public void RemoveDirectory(string path) => SyscallException.Check(rmdir(path), $"rmdir {path}");

    public bool Kill(int pid) => ProcessControl.Signal(pid, SigKill);

    // Directory.Delete turns EBUSY into a generic IOException; the caller needs the errno itself.
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdir(string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rmdir(string path);
}
