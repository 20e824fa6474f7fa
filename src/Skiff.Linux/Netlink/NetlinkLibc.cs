using System.Runtime.InteropServices;

namespace Skiff.Linux;

// The socket calls only netlink needs, beside the rest of Libc.
internal static partial class Libc
{
    [LibraryImport(Lib, SetLastError = true)] internal static unsafe partial nint send(int fd, byte* buf, nint len, int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static unsafe partial nint recv(int fd, byte* buf, nint len, int flags);
}
