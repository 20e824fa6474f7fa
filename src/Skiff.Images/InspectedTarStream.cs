using System.Buffers.Text;
using System.Text;

namespace Skiff.Images;

/// <summary>
/// A layer tar on its way into <see cref="System.Formats.Tar.TarReader"/>, each header looked at before
/// the reader gets it. Two jobs the reader cannot do for us:
/// <list type="bullet">
/// <item>Refuse oversized metadata headers by name, before anything buffers them: a PAX extended header
/// over <see cref="MaxPaxHeaderBytes"/>, a GNU long name or link name over <see cref="PathMax"/>.</item>
/// <item>Keep the raw bytes of each member's <c>SCHILY.xattr.*</c> PAX records: the reader decodes
/// values as UTF-8, which mangles binary ones such as <c>security.capability</c>.</item>
/// <item>Read a tar that simply stops after its last member as Go's archive/tar (and so Docker,
/// containerd and umoci) does: the missing padding and end-of-archive blocks are supplied as zeros.
/// umoci 0.4.7's <c>insert</c> writes such layers, and the reader would otherwise fail with a bare
/// end-of-stream error. A stream that stops inside a header or inside a member's data is truncated,
/// and is refused naming the member.</item>
/// <item>Say in words what is wrong with a block that is no tar header (random bytes, a damaged
/// archive, a field that is no number), rather than leaving it to the reader's terse complaint.</item>
/// </list>
/// </summary>
internal sealed class InspectedTarStream(Stream inner) : ForwardReadStream
{
    /// <summary>1 MiB, as Go's archive/tar and .NET's own reader bound metadata blocks. A real PAX header is
    /// a path (at most PATH_MAX) plus xattrs, whose whole list the kernel caps at 64 KiB
    /// (XATTR_LIST_MAX) and each value at 64 KiB (XATTR_SIZE_MAX): a dozen worst-case values fit.</summary>
    public const int MaxPaxHeaderBytes = 1 << 20;

    /// <summary>Linux's PATH_MAX, the terminating NUL included: a longer name is no path the kernel
    /// would resolve inside the container, so no honest layer has one.</summary>
    public const int PathMax = 4096;

    private const string XattrPrefix = "SCHILY.xattr.";
    private const int BlockSize = 512;
    private static readonly IReadOnlyDictionary<string, byte[]> NoXattrs = new Dictionary<string, byte[]>();

    private readonly byte[] _header = new byte[BlockSize];
    private int _headerLength;
    private int _headerServed;
    // Data and padding of the current record still to pass before the next header; the padding part.
    private long _dataLeft;
    private long _padding;
    // Zeros owed to the reader for a tar that stopped at a member boundary.
    private long _zerosLeft;
    // For messages: the member whose header passed last, and the record (member or metadata header)
    // whose data is passing.
    private string? _member;
    private string _record = "";
    private long _recordSize;
    // The records of a PAX 'x' header as they pass, then waiting for the member they describe.
    private byte[]? _pax;
    private int _paxFilled;
    private byte[]? _pendingPax;
    // After the end-of-archive block (or a block that is no header) everything passes unlooked-at:
    // the reader stops there too.
    private bool _ended;

    /// <summary>The xattrs of the member whose header passed last, raw.</summary>
    public IReadOnlyDictionary<string, byte[]> CurrentXattrs { get; private set; } = NoXattrs;

    /// <summary>The data length of the member whose header passed last, PAX 'size' applied; the unpacker
    /// compares it with the reader's, so the two can never disagree on where members are.</summary>
    public long CurrentLength { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        if (_headerServed < _headerLength)
        {
            var n = Math.Min(buffer.Length, _headerLength - _headerServed);
            _header.AsSpan(_headerServed, n).CopyTo(buffer);
            _headerServed += n;
            return n;
        }
        if (_zerosLeft > 0)
        {
            var n = (int)Math.Min(buffer.Length, _zerosLeft);
            buffer[..n].Clear();
            _zerosLeft -= n;
            return n;
        }
        if (_ended)
            return inner.Read(buffer);
        if (_dataLeft > 0)
        {
            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _dataLeft)]);
            if (read == 0)
            {
                if (_dataLeft > _padding)
                    throw new LayerMemberException(_record,
                        $"the archive ends {_dataLeft - _padding} bytes before the end of its {_recordSize} bytes of data: it is truncated");
                EndWithZeros(_dataLeft);
                return Read(buffer);
            }
            _dataLeft -= read;
            Capture(buffer[..read]);
            return read;
        }

        _headerLength = inner.ReadAtLeast(_header, BlockSize, throwOnEndOfStream: false);
        _headerServed = 0;
        if (_headerLength == 0)
            EndWithZeros(0);
        else if (_headerLength < BlockSize)
            throw new LayerMemberException(_member is null ? "(first member)" : $"(the one after '{_member}')",
                $"the archive ends {_headerLength} bytes into its 512-byte header: it is truncated");
        else
            Inspect();
        return Read(buffer);
    }

    /// <summary>The archive stopped where a header could start (or in the last member's padding):
    /// the reader gets the rest of the padding and the two zero blocks that end a tar.</summary>
    private void EndWithZeros(long padding)
    {
        _zerosLeft = padding + 2 * BlockSize;
        _dataLeft = 0;
        _headerLength = 0;
        _ended = true;
    }

    private void Inspect()
    {
        var header = _header.AsSpan();
        if (!header.ContainsAnyExcept((byte)0))
        {
            _ended = true;
            return;
        }
        var after = _member is null ? "(first member)" : $"(the one after '{_member}')";
        if (!ChecksumMatches(header))
            throw new LayerMemberException(after, _member is null
                ? "not a tar archive: its first 512 bytes are no tar header (bad checksum)"
                : "the archive is damaged: a block where a header should be fails its checksum");
        var type = (char)header[156];
        var size = ParseNumber(header.Slice(124, 12));
        var name = HeaderName(header);
        if (size < 0)
            throw new LayerMemberException(name.Length > 0 ? name : after, "its header's size field is not a number");
        switch (type)
        {
            case 'x' or 'g':
                if (size > MaxPaxHeaderBytes)
                    throw new UnsafeLayerEntryException(name,
                        $"PAX extended header of {size} bytes; the limit is {MaxPaxHeaderBytes} bytes (1 MiB)");
                if (type == 'x' && size == 0)
                    _pendingPax = [];
                else if (type == 'x')
                {
                    _pax = new byte[size];
                    _paxFilled = 0;
                }
                break;
            case 'L' or 'K':
                if (size > PathMax)
                    throw new UnsafeLayerEntryException(LongNameStart(size),
                        $"GNU long {(type == 'L' ? "name" : "link name")} of {size} bytes; paths are limited to PATH_MAX ({PathMax} bytes)");
                break;
            default:
                var records = _pendingPax is null ? [] : ParsePaxRecords(_pendingPax);
                _pendingPax = null;
                if (records.TryGetValue("size", out var paxSize) && Utf8Parser.TryParse(paxSize, out long parsed, out var used) && used == paxSize.Length)
                    size = parsed;
                // Links, devices, fifos and directories carry no data, whatever their size field says.
                if (type is '1' or '2' or '3' or '4' or '5' or '6')
                    size = 0;
                _member = name = records.TryGetValue("path", out var path) ? Encoding.UTF8.GetString(path) : name;
                CurrentLength = size;
                CurrentXattrs = records.Count == 0
                    ? NoXattrs
                    : records.Where(r => r.Key.StartsWith(XattrPrefix, StringComparison.Ordinal))
                        .ToDictionary(r => r.Key[XattrPrefix.Length..], r => r.Value, StringComparer.Ordinal);
                break;
        }
        _dataLeft = (size + BlockSize - 1) / BlockSize * BlockSize;
        _padding = _dataLeft - size;
        (_record, _recordSize) = (name, size);
    }

    private void Capture(ReadOnlySpan<byte> data)
    {
        if (_pax is null)
            return;
        var n = Math.Min(data.Length, _pax.Length - _paxFilled);
        data[..n].CopyTo(_pax.AsSpan(_paxFilled));
        _paxFilled += n;
        if (_paxFilled == _pax.Length)
        {
            _pendingPax = _pax;
            _pax = null;
        }
    }

    /// <summary>"LENGTH KEY=VALUE\n" records; parsing stops at the first malformed one (the reader
    /// refuses the archive for it anyway).</summary>
    private static Dictionary<string, byte[]> ParsePaxRecords(ReadOnlySpan<byte> data)
    {
        var records = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (!data.IsEmpty)
        {
            var space = data.IndexOf((byte)' ');
            if (space <= 0 || !Utf8Parser.TryParse(data[..space], out int length, out var used) || used != space
                || length <= space + 1 || length > data.Length || data[length - 1] != '\n')
                break;
            var record = data[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
                break;
            records[Encoding.UTF8.GetString(record[..equals])] = record[(equals + 1)..].ToArray();
            data = data[length..];
        }
        return records;
    }

    private static bool ChecksumMatches(ReadOnlySpan<byte> header)
    {
        long sum = 0;
        for (var i = 0; i < BlockSize; i++)
            sum += i is >= 148 and < 156 ? ' ' : header[i];
        return ParseNumber(header.Slice(148, 8)) == sum;
    }

    /// <summary>Octal, NUL- or space-terminated, or GNU's base-256 when the top bit is set; -1 for
    /// anything else, which the reader refuses.</summary>
    private static long ParseNumber(ReadOnlySpan<byte> field)
    {
        var base256 = (field[0] & 0x80) != 0;
        var digits = base256 ? field[1..] : field.Trim(" \0"u8);
        var radix = base256 ? 256 : 8;
        long value = 0;
        foreach (var b in digits)
        {
            if (value > long.MaxValue / 256 || (!base256 && b is < (byte)'0' or > (byte)'7'))
                return -1;
            value = value * radix + (base256 ? b : b - '0');
        }
        return value;
    }

    private static string HeaderName(ReadOnlySpan<byte> header)
    {
        static string Field(ReadOnlySpan<byte> f) => Encoding.UTF8.GetString(f[..(f.IndexOf((byte)0) is >= 0 and var end ? end : f.Length)]);
        var name = Field(header[..100]);
        var prefix = header.Slice(257, 6).SequenceEqual("ustar\0"u8) ? Field(header.Slice(345, 155)) : "";
        return prefix.Length > 0 ? $"{prefix}/{name}" : name;
    }

    /// <summary>The start of an oversized long name, to name the member in the error; the rest is never read.</summary>
    private string LongNameStart(long size)
    {
        var start = new byte[Math.Min(size, 200)];
        var read = inner.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        var text = Encoding.UTF8.GetString(start, 0, read).TrimEnd('\0');
        return read < size ? text + "…" : text;
    }
}
