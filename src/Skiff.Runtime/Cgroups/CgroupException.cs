using System.Runtime.InteropServices;
using Skiff.Linux;
using Skiff.Linux.Cgroups;

namespace Skiff.Runtime.Cgroups;

/// <summary>A cgroup operation that failed: which file or directory, which value, and the kernel's reason.</summary>
public sealed class CgroupException(string path, string message, Exception? inner = null) : SkiffException(message, inner)
{
    public string Path { get; } = path;
}

// The cgroupfs calls with their errno turned into a CgroupException that names file and value.
internal static class CheckedCgroupFs
{
    public static void WriteFile(this ICgroupFs fs, string dir, string file, string value)
    {
        var path = System.IO.Path.Join(dir, file);
        try
        {
            fs.Write(path, value);
        }
        catch (SyscallException e)
        {
            throw new CgroupException(path, $"cgroup: cannot write \"{value}\" to {path}: {Reason(e)}", e);
        }
    }

    public static string ReadFile(this ICgroupFs fs, string dir, string file)
    {
        var path = System.IO.Path.Join(dir, file);
        try
        {
            return fs.Read(path);
        }
        catch (SyscallException e)
        {
            throw new CgroupException(path, $"cgroup: cannot read {path}: {Reason(e)}", e);
        }
    }

    public static bool MakeCgroupDirectory(this ICgroupFs fs, string path)
    {
        try
        {
            return fs.MakeDirectory(path);
        }
        catch (SyscallException e)
        {
            throw new CgroupException(path, $"cgroup: cannot create {path}: {Reason(e)}", e);
        }
    }

    public static string Reason(SyscallException e) => Marshal.GetPInvokeErrorMessage(e.Errno);
}
