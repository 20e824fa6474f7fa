using Skiff.Linux;

namespace Skiff.Engine.Containers;

/// <summary>
/// Docker's detach keys (ctrl-p,ctrl-q unless --detach-keys says otherwise): typed into an attached
/// session, they let go of the container without stopping it. Input that only begins like the
/// sequence is held back, and passed on as typed once it turns out to be something else.
/// </summary>
public sealed class DetachKeys
{
    public const string Default = "ctrl-p,ctrl-q";
    private readonly byte[] _sequence;
    private int _matched;

    private DetachKeys(byte[] sequence) => _sequence = sequence;

    /// <summary>Docker's syntax: comma-separated keys, each a single character or ctrl-X (X a letter, @, [, \, ], ^ or _).</summary>
    public static DetachKeys Parse(string text)
    {
        var keys = text.Split(',');
        var bytes = new byte[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            bytes[i] = key.Length == 1 && key[0] < 128 ? (byte)key[0]
                : key.Length == 6 && key.StartsWith("ctrl-", StringComparison.Ordinal) && Control(char.ToLowerInvariant(key[5])) is { } control ? control
                : throw new InvalidInputException($"invalid detach keys \"{text}\": \"{key}\" is neither one character nor ctrl-X (X a letter, @, [, \\, ], ^ or _)");
        }
        return new DetachKeys(bytes);
    }

    private static byte? Control(char c) => c switch
    {
        >= 'a' and <= 'z' => (byte)(c - 'a' + 1),
        '@' => 0,
        '[' => 27,
        '\\' => 28,
        ']' => 29,
        '^' => 30,
        '_' => 31,
        _ => null,
    };

    /// <summary>Looks at the next input; <paramref name="forward"/> gets what is to be passed on.</summary>
    /// <returns>true when the sequence is complete: the caller detaches, and what followed it is dropped.</returns>
    public bool Scan(ReadOnlySpan<byte> input, List<byte> forward)
    {
        foreach (var b in input)
        {
            if (b == _sequence[_matched])
            {
                if (++_matched == _sequence.Length) return true;
                continue;
            }
            // A broken match is input after all; this byte may begin the sequence anew.
            forward.AddRange(_sequence.AsSpan(0, _matched));
            _matched = b == _sequence[0] ? 1 : 0;
            if (_matched == 0) forward.Add(b);
        }
        return false;
    }
}
