using Skiff.Linux;
using Skiff.Engine;

namespace Skiff.UnitTests.Engine;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("64m", 64L * 1024 * 1024)]
    [InlineData("1g", 1024L * 1024 * 1024)]
    [InlineData("512k", 512L * 1024)]
    [InlineData("100", 100L)]
    [InlineData("100b", 100L)]
    [InlineData("1.5g", 1536L * 1024 * 1024)]
    [InlineData("64MB", 64L * 1024 * 1024)]
    [InlineData("64M", 64L * 1024 * 1024)]
    [InlineData("64mib", 64L * 1024 * 1024)]
    [InlineData("2t", 2L << 40)]
    [InlineData(" 8m ", 8L * 1024 * 1024)]
    [InlineData("-1", -1L)]
    public void Docker_size_syntax_is_parsed_in_binary_units(string text, long bytes)
    {
        Assert.Equal(bytes, ByteSize.Parse(text));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("-5m")]
    [InlineData("1.2.3m")]
    public void Text_that_is_not_a_size_is_a_format_error(string text)
    {
        var e = Assert.Throws<InvalidInputException>(() => ByteSize.Parse(text));

        Assert.StartsWith($"invalid size: \"{text}\"", e.Message);
    }

    [Fact]
    public void Unknown_unit_is_named_in_the_error()
    {
        var e = Assert.Throws<InvalidInputException>(() => ByteSize.Parse("64x"));

        Assert.Equal("invalid size: \"64x\" (unknown unit \"x\"; use b, k, m or g)", e.Message);
    }
}
