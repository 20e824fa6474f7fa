using Skiff.Linux;
using System.Net;
using Skiff.Linux.Netlink;
using Skiff.Network;
using Skiff.Network.Netfilter;
using Skiff.Network.Ports;

namespace Skiff.UnitTests.Network;

public sealed class PublishedPortsTests
{
    [Theory]
    [InlineData("8080:80", "0.0.0.0 8080-8080 80 tcp")]
    [InlineData("80", "0.0.0.0 0-0 80 tcp")]
    [InlineData("53/udp", "0.0.0.0 0-0 53 udp")]
    [InlineData("127.0.0.1::80", "127.0.0.1 0-0 80 tcp")]
    [InlineData("127.0.0.1:53:5353/UDP", "127.0.0.1 53-53 5353 udp")]
    [InlineData("8000-8002:80-82", "0.0.0.0 8000-8000 80 tcp|0.0.0.0 8001-8001 81 tcp|0.0.0.0 8002-8002 82 tcp")]
    [InlineData("8000-8002:80", "0.0.0.0 8000-8002 80 tcp")]
    [InlineData("80-81/udp", "0.0.0.0 0-0 80 udp|0.0.0.0 0-0 81 udp")]
    public void Publish_flags_parse_as_docker_reads_them(string text, string expected) =>
        Assert.Equal(expected, string.Join('|', PortRequest.Parse(text).Select(r => $"{r.HostIp} {r.HostFirst}-{r.HostLast} {r.ContainerPort} {r.Protocol}")));

    [Theory]
    [InlineData("8000-8002:80-81", "invalid ranges specified for container and host Ports: 80-81 and 8000-8002")]
    [InlineData("8080:80/sctp", "invalid proto: sctp")]
    [InlineData("0:80", "invalid hostPort: 0")]
    [InlineData("8080:http", "invalid containerPort: http")]
    [InlineData("8002-8000:80", "the range ends before it starts")]
    [InlineData("::1:80:80", "invalid publish")]
    [InlineData("8080:", "no port specified")]
    public void Bad_publish_flags_are_refused_with_docker_s_reason(string text, string message) =>
        Assert.Contains(message, Assert.Throws<InvalidInputException>(() => PortRequest.Parse(text)).Message);

    private static readonly (string, PortBinding)[] Nothing = [];

    [Fact]
    public void Ephemeral_ports_are_the_lowest_free_of_the_range_skipping_published_and_bound_ones()
    {
        var chooser = new HostPortChooser(p => p.HostPort == 32769, (32768, 32775));
        var published = new[] { ("container a", new PortBinding("0.0.0.0", 32768, 80, "tcp")) };
        var chosen = chooser.Choose([.. PortRequest.Parse("80"), .. PortRequest.Parse("81"), .. PortRequest.Parse("80/udp")], published);
        Assert.Equal([32770, 32771, 32768], chosen.Select(p => p.HostPort));
    }

    [Fact]
    public void A_fixed_port_wins_over_an_ephemeral_pick_and_a_range_takes_its_first_free_port()
    {
        var chooser = new HostPortChooser(_ => false, (32768, 32769));
        var chosen = chooser.Choose([.. PortRequest.Parse("80"), .. PortRequest.Parse("32768:81"), .. PortRequest.Parse("8000-8002:82")],
            [("container b", new PortBinding("127.0.0.1", 8000, 1, "tcp"))]);
        Assert.Equal(["0.0.0.0:32769->80/tcp", "0.0.0.0:32768->81/tcp", "0.0.0.0:8001->82/tcp"], chosen.Select(p => p.ToString()));
    }

    [Fact]
    public void A_taken_port_is_a_clear_error_naming_who_holds_it()
    {
        var chooser = new HostPortChooser(p => p.HostPort == 9090, (32768, 32768));
        Assert.Contains("already published by container abc (0.0.0.0:8080->80/tcp)", Assert.Throws<PortTakenException>(() =>
            chooser.Choose(PortRequest.Parse("127.0.0.1:8080:81"), [("container abc", new PortBinding("0.0.0.0", 8080, 80, "tcp"))])).Message);
        Assert.Contains("in use by a program on the host", Assert.Throws<PortTakenException>(() => chooser.Choose(PortRequest.Parse("9090:80"), Nothing)).Message);
        Assert.Contains("no free host port in 32768-32768", Assert.Throws<PortTakenException>(() => chooser.Choose(PortRequest.Parse("80-81"), Nothing)).Message);
    }

    [Fact]
    public void Ps_shows_ports_as_docker_does_with_runs_collapsed()
    {
        PortBinding B(int host, int container, string protocol = "tcp", string ip = "0.0.0.0") => new(ip, host, container, protocol);
        var text = PortText.Column([B(8002, 82), B(8000, 80), B(8001, 81), B(32768, 53, "udp"), B(9000, 90, ip: "127.0.0.1")],
            [new ExposedPort(80, "tcp"), new ExposedPort(443, "tcp")]);
        Assert.Equal("0.0.0.0:8000-8002->80-82/tcp, 127.0.0.1:9000->90/tcp, 0.0.0.0:32768->53/udp, 443/tcp", text);
        Assert.Equal(["53/udp -> 0.0.0.0:32768", "80/tcp -> 0.0.0.0:8000"], PortText.Lines([B(8000, 80), B(32768, 53, "udp")], null));
        Assert.Equal(["0.0.0.0:32768"], PortText.Lines([B(8000, 80), B(32768, 53, "udp")], new ExposedPort(53, "udp")));
    }

    [Fact]
    public void Conntrack_entries_of_the_container_and_of_its_udp_host_ports_are_the_stale_ones()
    {
        var container = IPAddress.Parse("10.1.0.2");
        ConntrackFlow Flow(byte protocol, string src, string dst, int port, string replySrc) =>
            new(protocol, IPAddress.Parse(src), IPAddress.Parse(dst), port, IPAddress.Parse(replySrc), IPAddress.Parse(src), [], null);
        PortBinding[] ports = [new("0.0.0.0", 5353, 53, "udp"), new("0.0.0.0", 8080, 80, "tcp")];
        Assert.True(ConntrackCleaner.Concerns(Flow(17, "10.85.0.2", "10.85.0.1", 5353, "10.1.0.2"), container, ports));
        Assert.True(ConntrackCleaner.Concerns(Flow(17, "10.85.0.2", "10.85.0.1", 5353, "10.85.0.1"), container, ports));
        Assert.True(ConntrackCleaner.Concerns(Flow(6, "10.1.0.2", "1.1.1.1", 443, "1.1.1.1"), container, ports));
        Assert.False(ConntrackCleaner.Concerns(Flow(6, "10.85.0.2", "10.85.0.1", 8080, "10.85.0.1"), container, ports));
        Assert.False(ConntrackCleaner.Concerns(Flow(17, "10.1.0.3", "10.85.0.9", 53, "10.85.0.9"), container, ports));
    }

    [Fact]
    public void A_ctnetlink_dump_answer_decodes_and_names_its_entry_back_for_deletion()
    {
        static byte[] A(ushort type, params byte[][] value) => NetlinkAttributes.Encode(type, value.SelectMany(v => v).ToArray());
        var original = A(1 | 0x8000, A(1 | 0x8000, A(1, [10, 85, 0, 2]), A(2, [10, 85, 0, 1])), A(2 | 0x8000, A(1, [17]), A(2, [0xa0, 0x00]), A(3, [0x14, 0xe9])));
        var reply = A(2 | 0x8000, A(1 | 0x8000, A(1, [10, 1, 0, 2]), A(2, [10, 85, 0, 2])), A(2 | 0x8000, A(1, [17]), A(2, [0x00, 0x35]), A(3, [0xa0, 0x00])));
        byte[] payload = [2, 0, 0, 0, .. original, .. reply];
        var flow = ConntrackCodec.Decode(payload)!;
        Assert.Equal((17, "10.85.0.2", "10.85.0.1", 5353, "10.1.0.2"),
            ((int)flow.Protocol, flow.OriginalSource.ToString(), flow.OriginalDestination.ToString(), flow.OriginalDestinationPort, flow.ReplySource.ToString()));
        var delete = ConntrackCodec.DeleteRequest(7, flow);
        Assert.Equal((1 << 8) | 2, BitConverter.ToUInt16(delete, 4));
        Assert.Equal(original[4..], delete[(16 + 4 + 4)..(16 + 4 + original.Length)]);
    }
}
