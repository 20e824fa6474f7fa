namespace Skiff.Linux;

/// <summary>Brings an interface up with the classic SIOCSIFFLAGS ioctl: enough for "lo" in a fresh network namespace.</summary>
public static class InterfaceFlags
{
    private const ulong SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    private const short IffUp = 1;

    public static unsafe void BringUp(string name)
    {
        using var sock = OwnedFd.Check(Libc.socket(2 /*AF_INET*/, 2 /*SOCK_DGRAM*/ | 0x80000, 0), "socket");
        var req = new Libc.IfReq();
        var bytes = System.Text.Encoding.ASCII.GetBytes(name);
        for (var i = 0; i < bytes.Length && i < 15; i++) req.Name[i] = bytes[i];
        SyscallException.Check(Libc.ioctl(sock.Value, SIOCGIFFLAGS, ref req), $"get flags of {name}");
        req.Flags |= IffUp;
        SyscallException.Check(Libc.ioctl(sock.Value, SIOCSIFFLAGS, ref req), $"bring {name} up");
    }
}
