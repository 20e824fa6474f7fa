using System.Buffers.Binary;

namespace Skiff.Linux.Netlink;

/// <summary>One netlink message as it crossed the socket: the nlmsghdr fields and the payload after it.</summary>
public sealed record NetlinkMessage(ushort Type, ushort Flags, uint Sequence, byte[] Payload)
{
    public const int HeaderLength = 16;
    public const ushort Done = 3, Error = 2;
    public const ushort FlagRequest = 0x1, FlagDump = 0x300;

    /// <summary>nlmsghdr (length, type, flags, sequence, port id 0 = the kernel) followed by the payload.</summary>
    public static byte[] Encode(ushort type, ushort flags, uint sequence, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[Align(HeaderLength + payload.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)(HeaderLength + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), sequence);
        payload.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    /// <summary>Splits one datagram from the kernel into its messages (a dump packs many into each).</summary>
    public static List<NetlinkMessage> DecodeAll(ReadOnlySpan<byte> datagram)
    {
        var messages = new List<NetlinkMessage>();
        while (datagram.Length >= HeaderLength)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(datagram);
            if (length < HeaderLength || length > datagram.Length)
                throw new FormatException($"netlink message length {length} does not fit a {datagram.Length}-byte datagram");
            messages.Add(new NetlinkMessage(
                BinaryPrimitives.ReadUInt16LittleEndian(datagram[4..]),
                BinaryPrimitives.ReadUInt16LittleEndian(datagram[6..]),
                BinaryPrimitives.ReadUInt32LittleEndian(datagram[8..]),
                datagram[HeaderLength..length].ToArray()));
            datagram = datagram[Math.Min(Align(length), datagram.Length)..];
        }
        return messages;
    }

    /// <summary>Netlink pads every message and attribute to 4 bytes.</summary>
    public static int Align(int length) => (length + 3) & ~3;
}
