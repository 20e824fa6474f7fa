namespace Skiff.Linux;

/// <summary>
/// Lists and optional strings in the compact binary records that stand in for JSON on the
/// container start path (init's spec, the resolved-image cache), where a cold JSON deserializer
/// costs more than the rest of the work.
/// </summary>
public static class BinaryRecords
{
    public static void WriteList(this BinaryWriter w, IReadOnlyCollection<string>? items)
    {
        w.Write(items?.Count ?? -1);
        foreach (var item in items ?? []) w.Write(item);
    }

    /// <summary>The list written by <see cref="WriteList"/>; null if null was written.</summary>
    public static List<string>? ReadList(this BinaryReader r)
    {
        var count = r.ReadInt32();
        if (count < 0) return null;
        var items = new List<string>(count);
        for (var i = 0; i < count; i++) items.Add(r.ReadString());
        return items;
    }

    public static void WriteOptional(this BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null) w.Write(value);
    }

    public static string? ReadOptional(this BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}
