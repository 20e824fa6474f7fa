using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Skiff.Linux.Netlink;

/// <summary>
/// An AF_NETLINK socket of one protocol (NETLINK_ROUTE, NETLINK_NETFILTER) in the network namespace
/// of the thread that made it: sends a request and reads the kernel's answers to it.
/// </summary>
public sealed class NetlinkSocket : IDisposable
{
    public const int Route = 0, Netfilter = 12;
    private const int AfNetlink = 16, SockRaw = 3, SockCloexec = 0x80000;
    private readonly OwnedFd _fd;
    private uint _sequence;

    public NetlinkSocket(int protocol) =>
        _fd = OwnedFd.Check(Libc.socket(AfNetlink, SockRaw | SockCloexec, protocol), $"socket(AF_NETLINK, {protocol})");

    public uint NextSequence() => ++_sequence;

    /// <summary>
    /// Sends one request (its sequence from <see cref="NextSequence"/>) and hands every answer to
    /// <paramref name="onMessage"/> until NLMSG_DONE or the acknowledgement; a refusal throws with the kernel's errno.
    /// </summary>
    public unsafe void Exchange(byte[] request, string operation, Action<NetlinkMessage> onMessage)
    {
        var sequence = BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(8));
        fixed (byte* p = request)
            SyscallException.Check((long)Libc.send(_fd.Value, p, request.Length, 0), $"{operation}: netlink send");
        var buffer = new byte[1 << 16];
        while (true)
        {
            nint received;
            fixed (byte* p = buffer) received = Libc.recv(_fd.Value, p, buffer.Length, 0);
            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                throw new SyscallException($"{operation}: netlink recv", errno);
            }
            foreach (var message in NetlinkMessage.DecodeAll(buffer.AsSpan(0, (int)received)))
            {
                if (message.Sequence != sequence) continue;
                if (message.Type == NetlinkMessage.Done) return;
                if (message.Type == NetlinkMessage.Error)
                {
                    var error = -BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
                    if (error == 0) return;
                    throw new SyscallException(operation, error);
                }
                onMessage(message);
            }
        }
    }

    public void Dispose() => _fd.Dispose();
}
