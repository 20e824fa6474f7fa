using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Skiff.Linux.Netlink;

/// <summary>
/// The rtattr list that follows a fixed rtnetlink header: (length, type, value) records padded to 4
/// bytes. Later attributes of the same type win, as in the kernel's own parsing.
/// </summary>
public sealed class NetlinkAttributes
{
    private const ushort NestedFlag = 0x8000, ByteOrderFlag = 0x4000;
    private readonly Dictionary<ushort, byte[]> _values = [];

    public static NetlinkAttributes Parse(ReadOnlySpan<byte> data)
    {
        var attributes = new NetlinkAttributes();
        while (data.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(data);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(data[2..]) & ~(NestedFlag | ByteOrderFlag));
            if (length < 4 || length > data.Length)
                throw new FormatException($"netlink attribute {type} has length {length} in {data.Length} bytes");
            attributes._values[type] = data[4..length].ToArray();
            data = data[Math.Min(NetlinkMessage.Align(length), data.Length)..];
        }
        return attributes;
    }

    /// <summary>Encodes one attribute, padded, for building requests.</summary>
    public static byte[] Encode(ushort type, ReadOnlySpan<byte> value)
    {
        var bytes = new byte[NetlinkMessage.Align(4 + value.Length)];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), type);
        value.CopyTo(bytes.AsSpan(4));
        return bytes;
    }

    public byte[]? Bytes(ushort type) => _values.GetValueOrDefault(type);

    public uint? UInt32(ushort type) =>
        _values.TryGetValue(type, out var v) && v.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(v) : null;

    /// <summary>A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND).</summary>
    public string? String(ushort type) =>
        _values.TryGetValue(type, out var v) ? Encoding.UTF8.GetString(v.AsSpan(0, Math.Max(0, v.AsSpan().IndexOf((byte)0) is var nul and >= 0 ? nul : v.Length))) : null;

    public IPAddress? Address(ushort type) =>
        _values.TryGetValue(type, out var v) && v.Length is 4 or 16 ? new IPAddress(v) : null;

    public NetlinkAttributes? Nested(ushort type) => _values.TryGetValue(type, out var v) ? Parse(v) : null;
}
