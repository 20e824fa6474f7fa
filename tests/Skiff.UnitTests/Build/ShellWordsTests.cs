using Skiff.Engine.Build.Dockerfile;

namespace Skiff.UnitTests.Build;

public sealed class ShellWordsTests
{
    private static readonly Dictionary<string, string> Env = new() { ["NAME"] = "world", ["EMPTY"] = "", ["TWO"] = "a b" };
    private readonly ShellWords _words = new();

    [Theory]
    [InlineData("$NAME", "world")]
    [InlineData("${NAME}x", "worldx")]
    [InlineData("${MISSING}", "")]
    [InlineData("${MISSING:-dflt}", "dflt")]
    [InlineData("${EMPTY:-dflt}", "dflt")]
    [InlineData("${EMPTY-dflt}", "")]
    [InlineData("${MISSING-dflt}", "dflt")]
    [InlineData("${NAME:+alt}", "alt")]
    [InlineData("${EMPTY:+alt}", "")]
    [InlineData("${EMPTY+alt}", "alt")]
    [InlineData("${MISSING:-$NAME}", "world")]
    [InlineData("'$NAME'", "$NAME")]
    [InlineData("\"$NAME and 'x'\"", "world and 'x'")]
    [InlineData("\\$NAME", "$NAME")]
    [InlineData("a\\ b", "a b")]
    [InlineData("price: $", "price: $")]
    [InlineData("\"a\\\"b\"", "a\"b")]
    public void Words_expand_as_Docker_does(string text, string expected)
    {
        Assert.Equal(expected, _words.Word(text, Env));
    }

    [Fact]
    public void A_required_variable_that_is_unset_stops_with_its_message()
    {
        var e = Assert.Throws<DockerfileException>(() => _words.Word("${MISSING:?set it with --build-arg}", Env));

        Assert.Equal("MISSING: set it with --build-arg", e.Message);
    }

    [Fact]
    public void Words_split_at_unquoted_blanks_also_inside_an_unquoted_value()
    {
        Assert.Equal(["x", "a", "b", "a b", "q r"], _words.Words("x $TWO \"$TWO\" 'q r'", Env));
    }

    [Fact]
    public void Pairs_read_key_value_and_the_legacy_form()
    {
        var pairs = _words.Pairs("A=1 B=\"two words\" C=a\\ b", legacyAllowed: true, valueRequired: true);
        Assert.Equal(["A", "B", "C"], pairs.Select(p => p.Key));
        Assert.Equal("two words", _words.Word(pairs[1].Value!, Env));
        Assert.Equal("a b", _words.Word(pairs[2].Value!, Env));

        var legacy = _words.Pairs("GREETING hello there", legacyAllowed: true, valueRequired: true);
        Assert.Equal(new KeyValuePair<string, string?>("GREETING", "hello there"), legacy.Single());
    }

    [Fact]
    public void The_backtick_escape_token_escapes_instead_of_the_backslash()
    {
        Assert.Equal("c:\\dir $x", new ShellWords('`').Word("c:\\dir `$x", Env));
    }

    [Fact]
    public void An_unclosed_quote_is_refused()
    {
        Assert.Throws<DockerfileException>(() => _words.Word("\"open", Env));
    }
}
