using System.Net;

namespace Skiff.Network;

/// <summary>A container's address on one network, and the ports it publishes there.</summary>
public sealed record NetworkEndpoint(string BridgeName, IPAddress Address, IReadOnlyList<PortBinding> Ports);
