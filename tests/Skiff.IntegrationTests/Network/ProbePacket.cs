using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Skiff.IntegrationTests.Network;

/// <summary>
/// One real packet: sent from a namespace of the topology, described to `skiff network trace` by
/// the same fields. Source is the address the kernel will use (needed for the TCP checksum).
/// </summary>
public sealed record ProbePacket(string FromNamespace, string TraceFrom, IPAddress Source, IPAddress Destination, string Protocol, int SourcePort, int DestinationPort)
{
    public string TraceFlags => $"--from {TraceFrom} --to {Destination} --proto {Protocol}"
        + (Protocol == "icmp" ? "" : $" --sport {SourcePort} --dport {DestinationPort}");

    public override string ToString() => $"{FromNamespace}: {Protocol} {Source}:{SourcePort} -> {Destination}:{DestinationPort}";

    public void Send()
    {
        NetnsTopology.InNamespace(FromNamespace, () =>
        {
            try { SendHere(); }
            // A local packet dropped or rejected by the host's own OUTPUT rules fails the send: it still went through the hooks.
            catch (SocketException) { }
        });
    }

    private void SendHere()
    {
        {
            switch (Protocol)
            {
                case "udp":
                    using (var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
                    {
                        udp.Bind(new IPEndPoint(IPAddress.Any, SourcePort));
                        udp.SendTo("probe"u8.ToArray(), new IPEndPoint(Destination, DestinationPort));
                    }
                    break;
                case "icmp":
                    using (var icmp = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp))
                        icmp.SendTo(EchoRequest((ushort)SourcePort), new IPEndPoint(Destination, 0));
                    break;
                case "tcp":
                    using (var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Tcp))
                        tcp.SendTo(Syn(), new IPEndPoint(Destination, 0));
                    break;
                default: throw new ArgumentException(Protocol);
            }
        }
    }

    private static byte[] EchoRequest(ushort id)
    {
        var packet = new byte[16];
        packet[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 1);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet, 0));
        return packet;
    }

    private byte[] Syn()
    {
        var tcp = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)DestinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), 12345);
        tcp[12] = 5 << 4;
        tcp[13] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 64240);
        // The TCP checksum covers a pseudo header: source, destination, protocol and length.
        var pseudo = new byte[12];
        Source.GetAddressBytes().CopyTo(pseudo, 0);
        Destination.GetAddressBytes().CopyTo(pseudo, 4);
        pseudo[9] = 6;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)tcp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(16), Checksum([.. pseudo, .. tcp], 0));
        return tcp;
    }

    private static ushort Checksum(byte[] data, uint sum)
    {
        for (var i = 0; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(i));
        if (data.Length % 2 == 1) sum += (uint)data[^1] << 8;
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
