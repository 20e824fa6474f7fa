using Skiff.Engine.Containers;

namespace Skiff.UnitTests.Engine;

public sealed class ResolvConfTests
{
    [Fact]
    public void Systemd_resolved_stub_is_replaced_by_public_resolvers_keeping_search_and_options()
    {
        const string host = "# This is /run/systemd/resolve/stub-resolv.conf\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch corp.example\n";

        Assert.Equal("# This is /run/systemd/resolve/stub-resolv.conf\noptions edns0 trust-ad\nsearch corp.example\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n",
            ContainerFiles.ResolvConf(host));
    }

    [Fact]
    public void Non_loopback_nameservers_are_kept_and_no_fallback_is_added()
    {
        const string host = "search lan\nnameserver 127.0.0.1\nnameserver 192.168.1.1\nnameserver\t::1\nnameserver 2001:db8::1\n";

        Assert.Equal("search lan\nnameserver 192.168.1.1\nnameserver 2001:db8::1\n", ContainerFiles.ResolvConf(host));
    }

    [Fact]
    public void Tab_separated_loopback_nameserver_is_removed_too()
    {
        Assert.Equal("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", ContainerFiles.ResolvConf("nameserver\t127.0.1.1\n"));
    }

    [Fact]
    public void Empty_host_file_gives_the_fallback_resolvers()
    {
        Assert.Equal("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", ContainerFiles.ResolvConf(""));
    }
}
