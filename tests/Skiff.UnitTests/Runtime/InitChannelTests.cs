using Skiff.Runtime.Start;

namespace Skiff.UnitTests.Runtime;

public sealed class InitChannelTests
{
    [Fact]
    public void Handles_with_stdio_and_a_bundle_path_with_spaces_survive_the_round_trip()
    {
        var handles = new InitChannel.Handles(7, 9, "/var/lib/skiff/my containers/abc def", [10, 11, 12]);

        var encoded = handles.Encode();
        var decoded = InitChannel.Handles.Decode(encoded);

        Assert.Equal("7;9;10,11,12;/var/lib/skiff/my containers/abc def", encoded);
        Assert.Equal((7, 9, "/var/lib/skiff/my containers/abc def"), (decoded.Sync, decoded.Status, decoded.Bundle));
        Assert.Equal([10, 11, 12], decoded.Stdio!);
    }

    [Fact]
    public void Handles_without_stdio_decode_to_null_stdio()
    {
        var encoded = new InitChannel.Handles(3, 4, "/run/bundle", null).Encode();
        var decoded = InitChannel.Handles.Decode(encoded);

        Assert.Equal("3;4;-;/run/bundle", encoded);
        Assert.Equal((3, 4, "/run/bundle"), (decoded.Sync, decoded.Status, decoded.Bundle));
        Assert.Null(decoded.Stdio);
    }

    [Fact]
    public void Bundle_path_is_the_last_field_so_a_semicolon_in_it_survives()
    {
        var decoded = InitChannel.Handles.Decode(new InitChannel.Handles(3, 4, "/tmp/a;b", [0, 1, 2]).Encode());

        Assert.Equal("/tmp/a;b", decoded.Bundle);
        Assert.Equal([0, 1, 2], decoded.Stdio!);
    }

    [Fact]
    public void Handles_with_an_empty_stdio_array_survive_the_round_trip()
    {
        var decoded = InitChannel.Handles.Decode(new InitChannel.Handles(3, 4, "/b", []).Encode());

        Assert.Equal([], decoded.Stdio!);
    }
}
