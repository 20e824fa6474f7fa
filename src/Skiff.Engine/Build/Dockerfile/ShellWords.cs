using System.Text;

namespace Skiff.Engine.Build.Dockerfile;

/// <summary>
/// The variable expansion and quoting of Dockerfile arguments (BuildKit's shell lexer): <c>$name</c>,
/// <c>${name}</c>, <c>${name:-default}</c>, <c>${name-default}</c>, <c>${name:+alt}</c>,
/// <c>${name+alt}</c>, <c>${name:?message}</c>, <c>${name?message}</c>; single quotes keep everything
/// as written, double quotes still expand, the escape token makes the next character plain. Quotes
/// are removed. An unset variable is empty.
/// </summary>
public sealed class ShellWords(char escape = '\\')
{
    /// <summary>One word: quotes removed, variables expanded, blanks kept.</summary>
    public string Word(string text, IReadOnlyDictionary<string, string> env)
    {
        var words = new Lexer(text, env, escape, split: false).Run();
        return words.Count == 0 ? "" : words[0];
    }

    /// <summary>Words split at unquoted blanks (also inside an unquoted variable's value), each expanded.</summary>
    public IReadOnlyList<string> Words(string text, IReadOnlyDictionary<string, string> env) =>
        new Lexer(text, env, escape, split: true).Run();

    /// <summary>
    /// The arguments of ENV, LABEL and ARG as written: <c>K=V K2="two words"</c>, or the legacy
    /// <c>K value with blanks</c> (one pair, no '=' in the first word). Keys and values come back
    /// unexpanded, quotes and escapes in place, for <see cref="Word"/> to resolve.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Pairs(string text, bool legacyAllowed, bool valueRequired)
    {
        var raw = RawWords(text);
        if (raw.Count == 0)
            return [];
        if (!raw[0].Contains('=') && legacyAllowed)
        {
            var rest = text.TrimStart()[raw[0].Length..].Trim();
            if (rest.Length == 0 && valueRequired)
                throw new DockerfileException($"'{text}' has a name but no value: write NAME=VALUE");
            return [new(raw[0], rest)];
        }
        var pairs = new List<KeyValuePair<string, string?>>();
        foreach (var word in raw)
        {
            var eq = word.IndexOf('=');
            if (eq < 0 && valueRequired)
                throw new DockerfileException($"'{word}' has no value: write {word}=VALUE");
            if (eq == 0)
                throw new DockerfileException($"'{word}' has no name: write NAME=VALUE");
            pairs.Add(eq < 0 ? new(word, null) : new(word[..eq], word[(eq + 1)..]));
        }
        return pairs;
    }

    /// <summary>Splits at unquoted, unescaped blanks, keeping quotes and escapes as written.</summary>
    public IReadOnlyList<string> RawWords(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is null && c is ' ' or '\t' or '\n')
            {
                if (current.Length > 0)
                    words.Add(current.ToString());
                current.Clear();
                continue;
            }
            current.Append(c);
            if (c == escape && quote != '\'' && i + 1 < text.Length)
                current.Append(text[++i]);
            else if (quote is null && c is '"' or '\'')
                quote = c;
            else if (c == quote)
                quote = null;
        }
        if (current.Length > 0)
            words.Add(current.ToString());
        return words;
    }

    private sealed class Lexer(string text, IReadOnlyDictionary<string, string> env, char escape, bool split)
    {
        private readonly List<string> _words = [];
        private readonly StringBuilder _current = new();
        private bool _inWord;
        private int _i;

        public List<string> Run()
        {
            Process(stopAt: null, _current);
            Finish();
            return _words;
        }

        // Reads up to the stop character (the '}' ending a ${…} modifier's word) or the end.
        private void Process(char? stopAt, StringBuilder into)
        {
            while (_i < text.Length)
            {
                var c = text[_i];
                if (c == stopAt)
                    return;
                _i++;
                if (c == escape)
                {
                    if (_i < text.Length)
                        Append(into, text[_i++]);
                }
                else if (c == '\'')
                    SingleQuoted(into);
                else if (c == '"')
                    DoubleQuoted(into);
                else if (c == '$')
                    AppendExpansion(into, Dollar(), quoted: false);
                else if (split && stopAt is null && c is ' ' or '\t' or '\n')
                    Finish();
                else
                    Append(into, c);
            }
            if (stopAt is not null)
                throw new DockerfileException($"'{text}': missing '{stopAt}'");
        }

        private void SingleQuoted(StringBuilder into)
        {
            _inWord = true;
            var close = text.IndexOf('\'', _i);
            if (close < 0)
                throw new DockerfileException($"'{text}': unexpected end of text, a ' is never closed");
            into.Append(text, _i, close - _i);
            _i = close + 1;
        }

        private void DoubleQuoted(StringBuilder into)
        {
            _inWord = true;
            while (true)
            {
                if (_i >= text.Length)
                    throw new DockerfileException($"'{text}': unexpected end of text, a \" is never closed");
                var c = text[_i++];
                if (c == '"')
                    return;
                if (c == '$')
                    into.Append(Dollar());
                else if (c == escape && _i < text.Length && (text[_i] is '"' or '$' || text[_i] == escape))
                    into.Append(text[_i++]);
                else
                    into.Append(c);
            }
        }

        private string Dollar()
        {
            if (_i >= text.Length)
                return "$";
            if (text[_i] != '{')
            {
                var name = Name();
                return name.Length == 0 ? "$" : Lookup(name) ?? "";
            }
            _i++;
            var braced = Name();
            if (braced.Length == 0)
                throw new DockerfileException($"'{text}': bad substitution, ${{ must be followed by a variable name");
            if (_i < text.Length && text[_i] == '}')
            {
                _i++;
                return Lookup(braced) ?? "";
            }
            var colon = _i < text.Length && text[_i] == ':';
            if (colon)
                _i++;
            if (_i >= text.Length)
                throw new DockerfileException($"'{text}': missing '}}'");
            var modifier = text[_i++];
            if (modifier is not ('-' or '+' or '?'))
                throw new DockerfileException($"'{text}': unsupported modifier ({(colon ? ":" : "")}{modifier}) in substitution: use :-, -, :+, +, :? or ?");
            var word = new StringBuilder();
            var outer = _inWord;
            Process('}', word);
            _inWord = outer;
            _i++;
            var value = Lookup(braced);
            var set = colon ? !string.IsNullOrEmpty(value) : value is not null;
            return modifier switch
            {
                '-' => set ? value! : word.ToString(),
                '+' => set ? word.ToString() : "",
                _ => set ? value! : throw new DockerfileException($"{braced}: {(word.Length > 0 ? word.ToString() : "is not set")}"),
            };
        }

        private string Name()
        {
            var start = _i;
            while (_i < text.Length && (char.IsAsciiLetterOrDigit(text[_i]) || text[_i] == '_'))
                _i++;
            return text[start.._i];
        }

        private string? Lookup(string name) => env.TryGetValue(name, out var value) ? value : null;

        private void AppendExpansion(StringBuilder into, string value, bool quoted)
        {
            if (!split || quoted || !ReferenceEquals(into, _current))
            {
                into.Append(value);
                _inWord |= value.Length > 0;
                return;
            }
            foreach (var c in value)
            {
                if (c is ' ' or '\t' or '\n')
                    Finish();
                else
                    Append(into, c);
            }
        }

        private void Append(StringBuilder into, char c)
        {
            into.Append(c);
            _inWord = true;
        }

        private void Finish()
        {
            if (_inWord)
                _words.Add(_current.ToString());
            _current.Clear();
            _inWord = false;
        }
    }
}
