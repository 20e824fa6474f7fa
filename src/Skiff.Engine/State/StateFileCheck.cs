using System.Buffers.Binary;

namespace Skiff.Engine.State;

/// <summary>What the database file looks like before SQLite is let near it.</summary>
public enum StateFileCondition { Sound, Missing, Empty, Truncated, NotADatabase }

/// <summary>
/// Reads the 100-byte SQLite header of the state database before it is opened. SQLite itself takes
/// a deleted or emptied file for a new database (and then forgets every container), takes a cut one
/// for a good one until a query reaches a missing page, and names garbage only as "file is not a
/// database"; one read here tells them apart for the price of a stat and 100 bytes.
/// </summary>
public static class StateFileCheck
{
    private static ReadOnlySpan<byte> Magic => "SQLite format 3\0"u8;

    public static StateFileCondition Inspect(string path)
    {
        if (!File.Exists(path)) return StateFileCondition.Missing;
        using var file = File.OpenHandle(path);
        var length = RandomAccess.GetLength(file);
        if (length == 0) return StateFileCondition.Empty;
        Span<byte> header = stackalloc byte[100];
        var read = RandomAccess.Read(file, header, 0);
        return Judge(header[..read], length);
    }

    /// <param name="header">the file's first bytes (up to 100).</param>
    public static StateFileCondition Judge(ReadOnlySpan<byte> header, long length)
    {
        if (header.Length < 100 || !header[..16].SequenceEqual(Magic)) return StateFileCondition.NotADatabase;
        // Page size 1 stands for 65536; the page count is only valid when the change counter
        // matches "version valid for" (older writers left it stale), as the file format says.
        var pageSize = BinaryPrimitives.ReadUInt16BigEndian(header[16..]) is var p && p == 1 ? 65536 : p;
        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0) return StateFileCondition.NotADatabase;
        var changeCounter = BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
        var pages = BinaryPrimitives.ReadUInt32BigEndian(header[28..]);
        var validFor = BinaryPrimitives.ReadUInt32BigEndian(header[92..]);
        if (changeCounter == validFor && (long)pages * pageSize > length) return StateFileCondition.Truncated;
        return StateFileCondition.Sound;
    }
}
