using Skiff.Linux;
using Skiff.Engine.Containers;

namespace Skiff.UnitTests.Engine;

public sealed class CpuListTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("0-1", "0,1")]
    [InlineData("1,0", "0,1")]
    [InlineData("0-2,5", "0,1,2,5")]
    public void Lists_in_the_kernel_s_syntax_name_their_cpus(string text, string cpus) =>
        Assert.Equal(cpus, string.Join(',', CpuList.Parse(text)!));

    [Theory]
    [InlineData("abc")]
    [InlineData("0-")]
    [InlineData("-1")]
    [InlineData("1-0")]
    [InlineData("0,,1")]
    [InlineData("0-1-2")]
    [InlineData("99999999999")]
    public void Anything_else_is_refused_with_the_syntax_and_the_online_cpus(string text)
    {
        var message = Assert.Throws<InvalidInputException>(() => CpuList.Check(text, "0-1\n")).Message;
        Assert.Contains($"invalid --cpuset-cpus \"{text}\"", message);
        Assert.Contains("the online CPUs here are 0-1", message);
    }

    [Theory]
    [InlineData("99", "CPU 99 is not available")]
    [InlineData("0-3", "CPU 2,3 is not available")]
    public void Cpus_that_are_not_online_are_refused_naming_the_ones_that_are(string text, string expected)
    {
        var message = Assert.Throws<InvalidInputException>(() => CpuList.Check(text, "0-1\n")).Message;
        Assert.Contains(expected, message);
        Assert.Contains("choose among the online CPUs 0-1", message);
    }

    [Fact]
    public void Online_cpus_pass() => CpuList.Check("0,1", "0-1\n");
}
