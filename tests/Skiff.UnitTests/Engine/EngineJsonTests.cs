using System.Text.Json;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Networks;
using Skiff.Engine.State;
using Skiff.Network.Ports;

namespace Skiff.UnitTests.Engine;

/// <summary>
/// Requests are written through the generated fast path and read back through metadata: the two
/// must agree on every property's spelling, or a stored container would come back different.
/// </summary>
public sealed class EngineJsonTests
{
    private static readonly RunRequest Everything = new()
    {
        Image = "busybox", Command = ["sh", "-c", "echo hi"], Entrypoint = ["/bin/env"], Name = "web",
        Interactive = true, Tty = true, Env = ["A=1"], WorkingDir = "/srv", User = "1000:1000", Hostname = "h",
        Network = NetworkMode.Bridge,
        Networks = [new NetworkAttachment("front") { Address = "10.9.0.7", Aliases = ["api"] }, new NetworkAttachment("back")],
        NetworkContainer = "0123456789ab",
        Names = new NameSettings { ExtraHosts = ["db:10.0.0.2"], Servers = ["1.1.1.1"], Search = ["example.com"], Options = ["ndots:2"] },
        Publish = [new PortRequest("127.0.0.1", 8080, 8081, 80, "udp")], PublishAll = true, Expose = ["53/udp"],
        Resources = new ResourceLimits { MemoryBytes = 1 << 26, MemorySwapBytes = 1 << 27, Cpus = 1.5m, CpuShares = 512, CpusetCpus = "0", PidsLimit = 64 },
        CapAdd = ["NET_ADMIN"], CapDrop = ["CHOWN"], Privileged = true, ReadOnlyRootfs = true, NoNewPrivileges = true,
        CgroupParent = "p", AutoRemove = true, Restart = new RestartPolicy(RestartMode.OnFailure, 3),
        Log = new LogOptions(1 << 20, 3),
        Mounts = [new MountRequest { Type = MountType.Volume, Source = "data", Target = "/data", ReadOnly = true, NoCopy = true, Anonymous = true }],
    };

    [Fact]
    public void A_request_reads_back_as_it_was_written()
    {
        var written = JsonSerializer.Serialize(Everything, EngineJson.Default.RunRequest);

        var back = JsonSerializer.Deserialize(written, EngineJson.Default.RunRequest)!;
        Assert.Equal(written, JsonSerializer.Serialize(back, EngineJson.Default.RunRequest));
        Assert.Contains("\"network\":\"Bridge\"", written);
    }
}
