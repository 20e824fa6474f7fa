using Skiff.Linux;
using Skiff.Network.Netfilter;

namespace Skiff.UnitTests.Network;

public sealed class IptablesBackendTests
{
    private const string Empty = "";
    private const string WithSkiff = "*filter\n:FORWARD ACCEPT [0:0]\n:SKIFF-FORWARD - [0:0]\n-A FORWARD -j SKIFF-FORWARD\nCOMMIT\n";
    private const string WithOthers = "*filter\n:FORWARD DROP [0:0]\n:DOCKER - [0:0]\n-A FORWARD -j DOCKER\nCOMMIT\n";
    private const string NftVersion = "iptables v1.8.9 (nf_tables)", LegacyVersion = "iptables v1.8.9 (legacy)";

    [Theory]
    [InlineData("legacy", WithSkiff, Empty, NftVersion, "legacy")]
    [InlineData("nft", Empty, WithSkiff, LegacyVersion, "nft")]
    [InlineData(null, Empty, WithSkiff, NftVersion, "legacy")]
    [InlineData(null, WithSkiff, WithOthers, LegacyVersion, "nft")]
    [InlineData(null, Empty, WithOthers, NftVersion, "legacy")]
    [InlineData(null, WithOthers, Empty, LegacyVersion, "nft")]
    [InlineData(null, Empty, Empty, LegacyVersion, "legacy")]
    [InlineData(null, Empty, Empty, NftVersion, "nft")]
    [InlineData(null, WithOthers, WithOthers, LegacyVersion, "legacy")]
    public void Configuration_then_skiff_s_chains_then_any_rules_then_the_host_s_default_decide(string? configured, string nft, string legacy, string version, string chosen)
    {
        var backend = IptablesBackend.Choose(configured, nft, legacy, version);
        Assert.Equal(chosen, backend.Name);
        Assert.Equal($"iptables-{chosen}-restore", backend.RestoreProgram);
    }

    [Fact]
    public void An_unknown_backend_is_a_clear_error() =>
        Assert.Contains("SKIFF_IPTABLES=nftables: use nft or legacy", Assert.Throws<InvalidInputException>(() => IptablesBackend.Choose("nftables", "", "", "")).Message);
}
