namespace Skiff.Cli.Templates;

/// <summary>
/// Splits a template into text and action tokens as Go's text/template lexer does: <c>{{</c> and
/// <c>}}</c> delimit actions, <c>{{- </c> and <c> -}}</c> trim the whitespace beside them, and
/// <c>{{/* */}}</c> is a comment.
/// </summary>
public sealed class TemplateLexer(TemplateSource source)
{
    private const string Left = "{{", Right = "}}";
    private static readonly HashSet<string> Keywords = ["if", "else", "end", "range", "with", "break", "continue", "define", "template", "block"];

    private readonly string _text = source.Text;
    private readonly List<TemplateToken> _tokens = [];
    private int _pos;

    public List<TemplateToken> Lex()
    {
        var trimNextText = false;
        while (_pos < _text.Length)
        {
            var start = _text.IndexOf(Left, _pos, StringComparison.Ordinal);
            var end = start < 0 ? _text.Length : start;
            var trimLeft = start >= 0 && IsTrimMarker(start + Left.Length);
            var text = _text[_pos..end];
            if (trimNextText) text = text.TrimStart(' ', '\t', '\r', '\n');
            if (trimLeft) text = text.TrimEnd(' ', '\t', '\r', '\n');
            if (text.Length > 0) Add(TokenKind.Text, text, _pos, false);
            if (start < 0) { _pos = _text.Length; break; }
            _pos = start + Left.Length + (trimLeft ? 1 : 0);
            trimNextText = LexAction(start);
        }
        Add(TokenKind.EndOfInput, "", _text.Length, false);
        return _tokens;
    }

    /// <summary>"{{- " trims: a dash followed by whitespace (so that {{-3}} stays the number -3).</summary>
    private bool IsTrimMarker(int at) => at + 1 < _text.Length && _text[at] == '-' && IsSpace(_text[at + 1]);

    /// <summary>Lexes one action; whether it ended with " -}}", trimming the text after it.</summary>
    private bool LexAction(int start)
    {
        var afterSpace = SkipSpace();
        if (_text.AsSpan(_pos).StartsWith("/*")) return LexComment(start);
        Add(TokenKind.LeftDelim, Left, start, false);
        while (true)
        {
            if (_pos >= _text.Length) throw source.ParseError(_pos, "unclosed action");
            if (afterSpace && _text[_pos] == '-' && _text.AsSpan(_pos + 1).StartsWith(Right))
            {
                Add(TokenKind.RightDelim, Right, _pos, true);
                _pos += 1 + Right.Length;
                return true;
            }
            if (_text.AsSpan(_pos).StartsWith(Right))
            {
                Add(TokenKind.RightDelim, Right, _pos, afterSpace);
                _pos += Right.Length;
                return false;
            }
            LexToken(afterSpace);
            afterSpace = SkipSpace();
        }
    }

    private bool LexComment(int start)
    {
        var close = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
        if (close < 0) throw source.ParseError(start, "unclosed comment");
        _pos = close + 2;
        var trimRight = SkipSpace() && _text.AsSpan(_pos).StartsWith("-" + Right);
        if (trimRight) _pos++;
        if (!_text.AsSpan(_pos).StartsWith(Right)) throw source.ParseError(start, "comment ends before closing delimiter");
        _pos += Right.Length;
        return trimRight;
    }

    private void LexToken(bool spaced)
    {
        var start = _pos;
        var c = _text[_pos];
        switch (c)
        {
            case '|': _pos++; Add(TokenKind.Pipe, "|", start, spaced); return;
            case '(': _pos++; Add(TokenKind.LeftParen, "(", start, spaced); return;
            case ')': _pos++; Add(TokenKind.RightParen, ")", start, spaced); return;
            case ',': _pos++; Add(TokenKind.Comma, ",", start, spaced); return;
            case '=': _pos++; Add(TokenKind.Assign, "=", start, spaced); return;
            case ':' when Peek(1) == '=': _pos += 2; Add(TokenKind.Declare, ":=", start, spaced); return;
            case '"': LexQuoted(start, spaced, '"', TokenKind.String, "quoted string"); return;
            case '`': LexRaw(start, spaced); return;
            case '\'': LexQuoted(start, spaced, '\'', TokenKind.Char, "character constant"); return;
            case '$':
                _pos++;
                while (_pos < _text.Length && IsIdentChar(_text[_pos])) _pos++;
                AddWithFields(TokenKind.Variable, start, spaced);
                return;
            case '.' when Peek(1) is { } n && char.IsAsciiDigit(n): LexNumber(start, spaced); return;
            case '.' when Peek(1) is { } n && IsIdentStart(n): AddWithFields(TokenKind.Field, start, spaced); return;
            case '.': _pos++; Add(TokenKind.Dot, ".", start, spaced); return;
        }
        if (char.IsAsciiDigit(c) || (c is '+' or '-' && Peek(1) is { } d && (char.IsAsciiDigit(d) || d == '.'))) { LexNumber(start, spaced); return; }
        if (IsIdentStart(c))
        {
            while (_pos < _text.Length && IsIdentChar(_text[_pos])) _pos++;
            var word = _text[start.._pos];
            var kind = word switch
            {
                "true" or "false" => TokenKind.Bool,
                "nil" => TokenKind.Nil,
                _ when Keywords.Contains(word) => TokenKind.Keyword,
                _ => TokenKind.Identifier,
            };
            Add(kind, word, start, spaced);
            return;
        }
        throw source.ParseError(start, $"unexpected \"{c}\" in command");
    }

    /// <summary>A variable or a field, with the chain of fields right after it (<c>$x.A.B</c>, <c>.A.B</c>).</summary>
    private void AddWithFields(TokenKind kind, int start, bool spaced)
    {
        var fields = new List<string>();
        while (_pos + 1 < _text.Length && _text[_pos] == '.' && IsIdentStart(_text[_pos + 1]))
        {
            var nameStart = ++_pos;
            while (_pos < _text.Length && IsIdentChar(_text[_pos])) _pos++;
            fields.Add(_text[nameStart.._pos]);
        }
        _tokens.Add(new TemplateToken(kind, _text[start.._pos], start, spaced, [.. fields]));
    }

    /// <summary>A "string" or a 'c'haracter: up to the closing quote, skipping escaped characters.</summary>
    private void LexQuoted(int start, bool spaced, char quote, TokenKind kind, string what)
    {
        _pos++;
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n') throw source.ParseError(start, $"unterminated {what}");
            if (_text[_pos] == '\\') _pos += 2;
            else if (_text[_pos++] == quote) break;
        }
        Add(kind, _text[start.._pos], start, spaced);
    }

    private void LexRaw(int start, bool spaced)
    {
        var close = _text.IndexOf('`', _pos + 1);
        if (close < 0) throw source.ParseError(start, "unterminated raw quoted string");
        _pos = close + 1;
        Add(TokenKind.String, _text[start.._pos], start, spaced);
    }

    private void LexNumber(int start, bool spaced)
    {
        if (_text[_pos] is '+' or '-') _pos++;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '.' or '_'
            || (_text[_pos] is '+' or '-' && _text[_pos - 1] is 'e' or 'E' or 'p' or 'P'))) _pos++;
        Add(TokenKind.Number, _text[start.._pos], start, spaced);
    }

    private bool SkipSpace()
    {
        var start = _pos;
        while (_pos < _text.Length && IsSpace(_text[_pos])) _pos++;
        return _pos > start;
    }

    private char? Peek(int ahead) => _pos + ahead < _text.Length ? _text[_pos + ahead] : null;

    private void Add(TokenKind kind, string text, int offset, bool spaced) => _tokens.Add(new TemplateToken(kind, text, offset, spaced, []));

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';
    private static bool IsIdentStart(char c) => char.IsLetter(c) || c == '_';
    private static bool IsIdentChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
