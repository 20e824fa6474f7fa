using System.Net;
using System.Net.Sockets;
using Skiff.Linux;

namespace Skiff.Network.Ports;

/// <summary>
/// Turns a container's <see cref="PortRequest"/>s into host ports. A port is free when no other
/// container publishes it (the records) and no process of the host listens on it (a bind test):
/// a DNAT rule would silently steal that program's traffic, so Docker refuses it and so does Skiff.
/// Ephemeral ports come from the kernel's ip_local_port_range, lowest free first.
/// The caller holds the lock under which the records are read and the choice is recorded.
/// </summary>
public sealed class HostPortChooser(Func<PortBinding, bool> boundOnHost, (int First, int Last) ephemeralRange)
{
    public static HostPortChooser ForHost() => new(IsBound, EphemeralRange());

    /// <param name="published">What every other container publishes, with its owner for the message.</param>
    public IReadOnlyList<PortBinding> Choose(IReadOnlyList<PortRequest> requests, IReadOnlyList<(string Owner, PortBinding Port)> published)
    {
        var taken = published.ToList();
        var chosen = new PortBinding[requests.Count];
        // Fixed ports first, so that a pick from a range can never take a port asked for by number;
        // the answer keeps the order the ports were asked in.
        foreach (var i in Enumerable.Range(0, requests.Count).OrderBy(i => requests[i].Ephemeral || requests[i].HostFirst != requests[i].HostLast))
        {
            var request = requests[i];
            chosen[i] = request.HostFirst == request.HostLast && !request.Ephemeral ? Fixed(request, taken) : FirstFree(request, taken);
            taken.Add(("this container", chosen[i]));
        }
        return chosen;
    }

    private PortBinding Fixed(PortRequest request, List<(string Owner, PortBinding Port)> taken)
    {
        var binding = new PortBinding(request.HostIp, request.HostFirst, request.ContainerPort, request.Protocol);
        if (taken.FirstOrDefault(t => t.Port.ConflictsWith(binding)) is { Owner: not null } clash)
            throw new PortTakenException($"port {binding.HostIp}:{binding.HostPort}/{binding.Protocol} is already published by {clash.Owner} ({clash.Port}): choose another host port, or -p {request.ContainerPort} for a free one");
        if (boundOnHost(binding))
            throw new PortTakenException($"port {binding.HostIp}:{binding.HostPort}/{binding.Protocol} is already in use by a program on the host: choose another host port, or -p {request.ContainerPort} for a free one");
        return binding;
    }

    private PortBinding FirstFree(PortRequest request, List<(string Owner, PortBinding Port)> taken)
    {
        var (first, last) = request.Ephemeral ? ephemeralRange : (request.HostFirst, request.HostLast);
        for (var port = first; port <= last; port++)
        {
            var candidate = new PortBinding(request.HostIp, port, request.ContainerPort, request.Protocol);
            if (!taken.Any(t => t.Port.ConflictsWith(candidate)) && !boundOnHost(candidate)) return candidate;
        }
        throw new PortTakenException($"no free host port in {first}-{last} for {request.ContainerPort}/{request.Protocol} on {request.HostIp}"
            + (request.Ephemeral ? " (the kernel's ip_local_port_range)" : ""));
    }

    /// <summary>Whether a program of this network namespace holds the port: binding it fails.</summary>
    private static bool IsBound(PortBinding port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, port.Protocol == "udp" ? SocketType.Dgram : SocketType.Stream,
            port.Protocol == "udp" ? ProtocolType.Udp : ProtocolType.Tcp);
        // Connections in TIME_WAIT on the port are no program's: only a listener or a bound socket counts.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Parse(port.HostIp), port.HostPort));
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
        // An address the host doesn't have (-p 10.0.0.9:80:80 before the address is set up) holds no program.
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            return false;
        }
    }

    /// <summary>The kernel's ip_local_port_range: the ports it hands out to clients, Docker's pool for -p CTRPORT.</summary>
    private static (int, int) EphemeralRange()
    {
        var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return (int.Parse(text[0]), int.Parse(text[1]));
    }
}

public sealed class PortTakenException(string message) : SkiffException(message);
