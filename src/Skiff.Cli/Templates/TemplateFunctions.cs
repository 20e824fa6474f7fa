using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Skiff.Cli.Templates;

/// <summary>
/// Go's built-in template functions and the ones Docker adds (json, split, join, title, lower,
/// upper, pad, truncate), with Go's argument counts and messages. <c>and</c> and <c>or</c>
/// evaluate lazily, so the executor runs them itself.
/// </summary>
public static class TemplateFunctions
{
    public const string And = "and", Or = "or";

    private sealed record Function(int MinArgs, int MaxArgs, Func<IReadOnlyList<object?>, object?> Call);

    private const int Any = int.MaxValue;

    private static readonly Dictionary<string, Function> Table = new()
    {
        ["not"] = new(1, 1, a => !TemplateValues.IsTrue(a[0])),
        ["len"] = new(1, 1, a => Length(a[0])),
        ["index"] = new(1, Any, a => Index(a[0], a.Skip(1))),
        ["slice"] = new(1, 3, a => Slice(a[0], a.Skip(1).ToList())),
        ["print"] = new(0, Any, a => Sprint(a)),
        ["println"] = new(0, Any, a => string.Join(' ', a.Select(TemplateValues.Print)) + "\n"),
        ["printf"] = new(1, Any, a => GoPrintf.Format(Text(a[0]), a.Skip(1).ToList())),
        ["eq"] = new(1, Any, a => a.Count == 1 ? throw new TemplateCallException("missing argument for comparison") : a.Skip(1).Any(b => TemplateValues.AreEqual(a[0], b))),
        ["ne"] = new(2, 2, a => !TemplateValues.AreEqual(a[0], a[1])),
        ["lt"] = new(2, 2, a => TemplateValues.Compare(a[0], a[1]) < 0),
        ["le"] = new(2, 2, a => TemplateValues.Compare(a[0], a[1]) <= 0),
        ["gt"] = new(2, 2, a => TemplateValues.Compare(a[0], a[1]) > 0),
        ["ge"] = new(2, 2, a => TemplateValues.Compare(a[0], a[1]) >= 0),
        ["json"] = new(1, 1, a => TemplateValues.ToJson(a[0])),
        ["split"] = new(2, 2, a => Text(a[0]).Split(Text(a[1])).Select(s => (object?)s).ToList()),
        ["join"] = new(2, 2, a => string.Join(Text(a[1]), (TemplateValues.AsList(a[0]) ?? throw WrongType("[]string", a[0])).Select(TemplateValues.Print))),
        ["title"] = new(1, 1, a => Title(Text(a[0]))),
        ["lower"] = new(1, 1, a => Text(a[0]).ToLowerInvariant()),
        ["upper"] = new(1, 1, a => Text(a[0]).ToUpperInvariant()),
        ["pad"] = new(3, 3, a => new string(' ', (int)Integer(a[1])) + Text(a[0]) + new string(' ', (int)Integer(a[2]))),
        ["truncate"] = new(2, 2, a => Truncate(Text(a[0]), (int)Integer(a[1]))),
    };

    public static bool Exists(string name) => name is And or Or || Table.ContainsKey(name);

    public static object? Call(string name, IReadOnlyList<object?> args)
    {
        var f = Table[name];
        if (args.Count < f.MinArgs || args.Count > f.MaxArgs)
        {
            var want = f.MinArgs == f.MaxArgs ? $"want {f.MinArgs}" : $"want at least {f.MinArgs}";
            throw new TemplateCallException($"wrong number of args for {name}: {want} got {args.Count}");
        }
        return f.Call(args);
    }

    private static string Text(object? value) => value as string ?? throw WrongType("string", value);

    private static long Integer(object? value) => value is long l ? l : throw WrongType("int", value);

    private static TemplateCallException WrongType(string expected, object? value) =>
        new($"wrong type for value; expected {expected}; got {TemplateValues.TypeName(value)}");

    private static long Length(object? value) => value switch
    {
        string s => Encoding.UTF8.GetByteCount(s),
        JsonObject o => o.Count,
        _ when TemplateValues.AsList(value) is { } list => list.Count,
        null => throw new TemplateCallException("error calling len: len of nil pointer"),
        _ => throw new TemplateCallException($"error calling len: len of type {TemplateValues.TypeName(value)}"),
    };

    private static object? Index(object? value, IEnumerable<object?> keys)
    {
        foreach (var key in keys)
        {
            value = value switch
            {
                JsonObject o when key is string k => o.TryGetPropertyValue(k, out var v) ? TemplateValues.FromJson(v) : null,
                string s when key is long i => i >= 0 && i < s.Length ? (long)Encoding.UTF8.GetBytes(s)[i] : throw OutOfRange(i),
                _ when TemplateValues.AsList(value) is { } list && key is long i => i >= 0 && i < list.Count ? list[(int)i] : throw OutOfRange(i),
                null => throw new TemplateCallException("error calling index: index of untyped nil"),
                _ => throw new TemplateCallException($"error calling index: cannot index slice/array with type {TemplateValues.TypeName(key)}"),
            };
        }
        return value;
    }

    private static TemplateCallException OutOfRange(long i) => new($"error calling index: index out of range: {i}");

    private static object? Slice(object? value, List<object?> bounds)
    {
        var length = value switch { string s => s.Length, _ => TemplateValues.AsList(value)?.Count ?? throw new TemplateCallException($"error calling slice: can't slice item of type {TemplateValues.TypeName(value)}") };
        var from = bounds.Count > 0 ? (int)Integer(bounds[0]) : 0;
        var to = bounds.Count > 1 ? (int)Integer(bounds[1]) : length;
        if (from < 0 || to < from || to > length) throw new TemplateCallException($"error calling slice: index out of range: {(to > length ? to : from)}");
        return value is string text ? text[from..to] : TemplateValues.AsList(value)!.Skip(from).Take(to - from).ToList();
    }

    /// <summary>fmt.Sprint: a space between two operands when neither is a string.</summary>
    private static string Sprint(IReadOnlyList<object?> args)
    {
        var result = new StringBuilder();
        for (var i = 0; i < args.Count; i++)
        {
            if (i > 0 && args[i] is not string && args[i - 1] is not string) result.Append(' ');
            result.Append(TemplateValues.Print(args[i]));
        }
        return result.ToString();
    }

    private static string Title(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (i == 0 || !char.IsLetterOrDigit(chars[i - 1]) && chars[i - 1] != '_' && chars[i - 1] != '\'') chars[i] = char.ToUpperInvariant(chars[i]);
        return new string(chars);
    }

    private static string Truncate(string text, int length)
    {
        var runes = text.EnumerateRunes().ToList();
        return runes.Count <= length ? text : string.Concat(runes.Take(length).Select(r => r.ToString()));
    }
}

/// <summary>Go's printf for the verbs a format uses: %s %v %d %q %t %f %x %%, with width, precision and '-'.</summary>
public static class GoPrintf
{
    public static string Format(string format, IReadOnlyList<object?> args)
    {
        var result = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%') { result.Append(format[i]); continue; }
            i++;
            var leftAlign = false;
            while (i < format.Length && format[i] is '-' or '+' or ' ' or '0' or '#') leftAlign |= format[i++] == '-';
            var width = ReadNumber(format, ref i);
            int? precision = null;
            if (i < format.Length && format[i] == '.') { i++; precision = ReadNumber(format, ref i) ?? 0; }
            if (i >= format.Length) { result.Append("%!(NOVERB)"); break; }
            var verb = format[i];
            if (verb == '%') { result.Append('%'); continue; }
            if (next >= args.Count) { result.Append($"%!{verb}(MISSING)"); continue; }
            var text = Verb(verb, args[next++], precision);
            if (width is { } w && text.Length < w) text = leftAlign ? text.PadRight(w) : text.PadLeft(w);
            result.Append(text);
        }
        if (next < args.Count)
            result.Append("%!(EXTRA ").Append(string.Join(", ", args.Skip(next).Select(a => $"{TemplateValues.TypeName(a)}={TemplateValues.Print(a)}"))).Append(')');
        return result.ToString();
    }

    private static int? ReadNumber(string format, ref int i)
    {
        var start = i;
        while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
        return i > start ? int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
    }

    private static string Verb(char verb, object? arg, int? precision) => (verb, arg) switch
    {
        ('v', _) => TemplateValues.Print(arg),
        ('s', string s) => precision is { } p && p < s.Length ? s[..p] : s,
        ('s', null or JsonNode or List<object?>) => TemplateValues.Print(arg),
        ('q', string s) => TemplateValues.ToJson(s),
        ('d', long l) => l.ToString(CultureInfo.InvariantCulture),
        ('x', long l) => l.ToString("x", CultureInfo.InvariantCulture),
        ('x', string s) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(s)),
        ('t', bool b) => b ? "true" : "false",
        ('f', double d) => d.ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture),
        ('f', long l) => $"%!f(int={l})",
        _ => $"%!{verb}({TemplateValues.TypeName(arg)}={TemplateValues.Print(arg)})",
    };
}
