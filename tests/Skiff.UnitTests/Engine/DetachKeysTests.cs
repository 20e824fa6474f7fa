using Skiff.Linux;
using System.Text;
using Skiff.Engine.Containers;

namespace Skiff.UnitTests.Engine;

public sealed class DetachKeysTests
{
    private static (bool Detached, string Forwarded) Feed(DetachKeys keys, params string[] chunks)
    {
        var forward = new List<byte>();
        foreach (var chunk in chunks)
            if (keys.Scan(Encoding.Latin1.GetBytes(chunk), forward)) return (true, Encoding.Latin1.GetString([.. forward]));
        return (false, Encoding.Latin1.GetString([.. forward]));
    }

    [Fact]
    public void Ctrl_p_ctrl_q_detaches_and_what_came_before_is_passed_on()
    {
        Assert.Equal((true, "ls\n"), Feed(DetachKeys.Parse(DetachKeys.Default), "ls\n\u0010\u0011after"));
    }

    [Fact]
    public void The_sequence_may_arrive_split_across_reads()
    {
        Assert.Equal((true, "a"), Feed(DetachKeys.Parse(DetachKeys.Default), "a\u0010", "\u0011"));
    }

    [Fact]
    public void A_broken_sequence_is_input_and_its_last_key_may_begin_it_again()
    {
        Assert.Equal((false, "\u0010x"), Feed(DetachKeys.Parse(DetachKeys.Default), "\u0010x"));
        Assert.Equal((true, "\u0010"), Feed(DetachKeys.Parse(DetachKeys.Default), "\u0010\u0010\u0011"));
    }

    [Theory]
    [InlineData("ctrl-a", "\u0001")]
    [InlineData("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", "\u0000\u001b\u001c\u001d\u001e\u001f")]
    [InlineData("a,ctrl-Z", "a\u001a")]
    public void Docker_key_syntax(string text, string sequence)
    {
        Assert.True(Feed(DetachKeys.Parse(text), sequence).Detached);
    }

    [Theory]
    [InlineData("ctrl-1")]
    [InlineData("ab")]
    [InlineData("")]
    [InlineData("ctrl-p,")]
    public void Invalid_keys_are_refused_with_the_syntax(string text)
    {
        Assert.Contains("ctrl-X", Assert.Throws<InvalidInputException>(() => DetachKeys.Parse(text)).Message);
    }
}
