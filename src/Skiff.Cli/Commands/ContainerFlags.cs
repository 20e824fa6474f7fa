using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Networks;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

/// <summary>The flags `skiff create` and `skiff run` share, turned into a <see cref="RunRequest"/>.</summary>
public static class ContainerFlags
{
    public static readonly Option<bool> Remove = new("--rm") { Description = "Remove the container when it exits" };
    public static readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Keep STDIN open and pass it to the container" };
    public static readonly Option<bool> Tty = new("--tty", "-t") { Description = "Allocate a pseudo-TTY" };
    public static readonly Option<string?> Name = new("--name") { Description = "Assign a name to the container" };
    public static readonly Option<string[]> Env = new("--env", "-e") { Description = "Set an environment variable (KEY=VALUE, or KEY to copy it from here)" };
    public static readonly Option<string[]> EnvFile = new("--env-file") { Description = "Read environment variables from a file" };
    public static readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "Working directory inside the container" };
    public static readonly Option<string?> User = new("--user", "-u") { Description = "Username or UID[:GID] to run as" };
    public static readonly Option<string?> Hostname = new("--hostname") { Description = "Container host name" };
    public static readonly Option<string?> Entrypoint = new("--entrypoint") { Description = "Overwrite the image's ENTRYPOINT" };
    public static readonly Option<string?> Memory = new("--memory", "-m") { Description = "Memory limit (e.g. 64m, 1g)" };
    public static readonly Option<string?> MemorySwap = new("--memory-swap") { Description = "Memory plus swap limit; -1 for unlimited swap" };
    public static readonly Option<decimal?> Cpus = new("--cpus") { Description = "Number of CPUs (CFS quota)" };
    public static readonly Option<ulong?> CpuShares = new("--cpu-shares", "-c") { Description = "CPU shares (relative weight)" };
    public static readonly Option<string?> CpusetCpus = new("--cpuset-cpus") { Description = "CPUs in which to allow execution (0-3, 0,1)" };
    public static readonly Option<long?> PidsLimit = new("--pids-limit") { Description = "Limit on the number of processes (-1 for unlimited)" };
    public static readonly Option<string[]> CapAdd = new("--cap-add") { Description = "Add a Linux capability" };
    public static readonly Option<string[]> CapDrop = new("--cap-drop") { Description = "Drop a Linux capability" };
    public static readonly Option<bool> Privileged = new("--privileged") { Description = "Give all capabilities and lift the default confinement" };
    public static readonly Option<bool> ReadOnly = new("--read-only") { Description = "Mount the container's root filesystem read-only" };
    public static readonly Option<string[]> SecurityOpt = new("--security-opt") { Description = "Security options (no-new-privileges)" };
    public static readonly Option<string[]> Network = new("--network", "--net") { Description = "Network: none, host, container:NAME, bridge (the default network) or a network's name (or name=NET,ip=ADDR,alias=NAME); may be given more than once", DefaultValueFactory = _ => ["bridge"] };
    public static readonly Option<string?> Ip = new("--ip") { Description = "IPv4 address on the (first) network, a user-defined one" };
    public static readonly Option<string[]> NetworkAlias = new("--network-alias") { Description = "Another name the container has on its (first) network" };
    public static readonly Option<string[]> AddHost = new("--add-host") { Description = "Add a line to /etc/hosts: NAME:IP (IP may be host-gateway)" };
    public static readonly Option<string[]> Dns = new("--dns") { Description = "DNS server for /etc/resolv.conf" };
    public static readonly Option<string[]> DnsSearch = new("--dns-search") { Description = "DNS search domain for /etc/resolv.conf" };
    public static readonly Option<string[]> DnsOption = new("--dns-option") { Description = "DNS option for /etc/resolv.conf" };
    public static readonly Option<string[]> Publish = new("--publish", "-p") { Description = "Publish a container's port on the host: [ip:][hostPort[-end]:]containerPort[-end][/tcp|udp]" };
    public static readonly Option<bool> PublishAll = new("--publish-all", "-P") { Description = "Publish every exposed port on a free host port" };
    public static readonly Option<string[]> Expose = new("--expose") { Description = "Expose a port or a range of ports (80, 8000-8002/udp)" };
    public static readonly Option<string?> CgroupParent = new("--cgroup-parent") { Description = "Parent cgroup for the container (default skiff)" };
    public static readonly Option<string[]> Volume = new("--volume", "-v") { Description = "Bind mount a host path or mount a volume: [SOURCE:]TARGET[:ro]" };
    public static readonly Option<string[]> Mount = new("--mount") { Description = "Attach a mount: type=bind|volume|tmpfs,source=,target=[,readonly]" };
    public static readonly Option<string[]> Tmpfs = new("--tmpfs") { Description = "Mount a tmpfs: PATH[:OPTIONS]" };
    public static readonly Argument<string> Image = new("image") { Description = "The image to run" };
    public static readonly Argument<string[]> Command = new(PositionalSplitter.CommandArgument) { Description = "The command and its arguments", Arity = ArgumentArity.ZeroOrMore };

    public static readonly Option<string?> Restart = new("--restart") { Description = "Restart policy: no, on-failure[:max-retries], always, unless-stopped" };
    public static readonly Option<string[]> LogOpt = new("--log-opt") { Description = "Log options: max-size=10m, max-file=3" };

    public static readonly Symbol[] All =
    [
        Remove, Interactive, Tty, Name, Env, EnvFile, Workdir, User, Hostname, Entrypoint,
        Memory, MemorySwap, Cpus, CpuShares, CpusetCpus, PidsLimit, CapAdd, CapDrop, Privileged,
        ReadOnly, SecurityOpt, Network, Ip, NetworkAlias, AddHost, Dns, DnsSearch, DnsOption, Publish, PublishAll, Expose, CgroupParent, Restart, LogOpt, Volume, Mount, Tmpfs, Image, Command,
    ];

    public static Command WithFlags(this Command command)
    {
        foreach (var symbol in All)
        {
            if (symbol is Option o) command.Options.Add(o);
            else command.Arguments.Add((Argument)symbol);
        }
        return command;
    }

    public static RunRequest ToRequest(ParseResult p)
    {
        var securityOpts = p.GetValue(SecurityOpt) ?? [];
        var unknown = securityOpts.FirstOrDefault(o => o is not ("no-new-privileges" or "no-new-privileges:true" or "no-new-privileges=true"));
        if (unknown is not null) throw new InvalidInputException($"unsupported --security-opt \"{unknown}\" (supported: no-new-privileges)");
        var entrypoint = p.GetValue(Entrypoint);
        var network = NetworkSyntax.Parse(p.GetValue(Network) ?? [], p.GetValue(Ip), p.GetValue(NetworkAlias) ?? []);
        return new RunRequest
        {
            Image = p.GetValue(Image)!,
            Command = p.GetValue(Command) ?? [],
            Entrypoint = entrypoint is null ? null : entrypoint.Length == 0 ? [] : [entrypoint],
            Name = p.GetValue(Name),
            Interactive = p.GetValue(Interactive),
            Tty = p.GetValue(Tty),
            Env = EnvironmentList.Collect(p.GetValue(EnvFile) ?? [], p.GetValue(Env) ?? []),
            WorkingDir = p.GetValue(Workdir),
            User = p.GetValue(User),
            Hostname = p.GetValue(Hostname),
            Network = network.Mode,
            Networks = network.Networks,
            NetworkContainer = network.Container,
            Names = new NameSettings
            {
                ExtraHosts = p.GetValue(AddHost) ?? [],
                Servers = p.GetValue(Dns) ?? [],
                Search = p.GetValue(DnsSearch) ?? [],
                Options = p.GetValue(DnsOption) ?? [],
            },
            Publish = PublishedPorts(p.GetValue(Publish) ?? [], p.GetValue(PublishAll), network.Mode),
            PublishAll = p.GetValue(PublishAll),
            Expose = [.. (p.GetValue(Expose) ?? []).SelectMany(Skiff.Network.Ports.ExposedPort.Parse).Select(e => e.ToString())],
            Resources = new ResourceLimits
            {
                MemoryBytes = p.GetValue(Memory) is { } m ? ByteSize.Parse(m) : null,
                MemorySwapBytes = p.GetValue(MemorySwap) is { } s ? ByteSize.Parse(s) : null,
                Cpus = p.GetValue(Cpus),
                CpuShares = p.GetValue(CpuShares),
                CpusetCpus = p.GetValue(CpusetCpus),
                PidsLimit = p.GetValue(PidsLimit),
            },
            CapAdd = p.GetValue(CapAdd) ?? [],
            CapDrop = p.GetValue(CapDrop) ?? [],
            Privileged = p.GetValue(Privileged),
            ReadOnlyRootfs = p.GetValue(ReadOnly),
            NoNewPrivileges = securityOpts.Length > 0,
            CgroupParent = p.GetValue(CgroupParent),
            AutoRemove = p.GetValue(Remove),
            Restart = p.GetValue(Restart) is { } restart ? RestartPolicy.Parse(restart) : RestartPolicy.No,
            Log = ParseLogOptions(p.GetValue(LogOpt) ?? []),
            Mounts =
            [
                .. (p.GetValue(Volume) ?? []).Select(MountSyntax.ParseVolume),
                .. (p.GetValue(Mount) ?? []).Select(MountSyntax.ParseMount),
                .. (p.GetValue(Tmpfs) ?? []).Select(MountSyntax.ParseTmpfs),
            ],
        };
    }

    private static LogOptions ParseLogOptions(string[] options)
    {
        var log = new LogOptions();
        foreach (var option in options)
        {
            var (key, value) = option.Split('=', 2) is [var k, var v] ? (k, v) : throw new InvalidInputException($"invalid --log-opt \"{option}\": use key=value");
            log = key switch
            {
                "max-size" => log with { MaxSizeBytes = ByteSize.Parse(value) },
                "max-file" => log with { MaxFiles = int.TryParse(value, out var n) && n > 0 ? n : throw new InvalidInputException($"invalid max-file \"{value}\": a positive number") },
                _ => throw new InvalidInputException($"unknown log option \"{key}\" (the json-file driver takes max-size and max-file)"),
            };
        }
        return log;
    }

    private static List<Skiff.Network.Ports.PortRequest> PublishedPorts(string[] specs, bool all, NetworkMode network) =>
        (specs.Length > 0 || all) && network != NetworkMode.Bridge
            ? throw new InvalidInputException($"{(all ? "-P" : "-p")} needs a bridge network: --network {network.ToString().ToLowerInvariant()} publishes nothing")
            : specs.SelectMany(Skiff.Network.Ports.PortRequest.Parse).ToList();
}
