namespace Skiff.Cli.Templates;

public enum TokenKind
{
    Text, LeftDelim, RightDelim, Identifier, Keyword, Field, Variable, Dot, String, Number, Char, Bool, Nil,
    Pipe, LeftParen, RightParen, Comma, Declare, Assign, EndOfInput,
}

/// <summary>
/// One token. <see cref="Fields"/> holds a field chain (<c>.A.B</c>, or the fields after
/// <c>$x</c>); <see cref="Spaced"/> says whether whitespace came before it, because Go reads
/// <c>(x).A</c> as one operand and <c>(x) .A</c> as two.
/// </summary>
public sealed record TemplateToken(TokenKind Kind, string Text, int Offset, bool Spaced, string[] Fields)
{
    public override string ToString() => Kind == TokenKind.EndOfInput ? "EOF" : Text;
}
