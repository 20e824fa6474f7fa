using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff run</c>: flags in, a <see cref="RunRequest"/> out, and the engine does the rest.</summary>
public static class RunCommand
{
    private static readonly Option<bool> Remove = new("--rm") { Description = "Remove the container when it exits" };
    private static readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Keep STDIN open and pass it to the container" };
    private static readonly Option<bool> Tty = new("--tty", "-t") { Description = "Allocate a pseudo-TTY" };
    private static readonly Option<bool> Detach = new("--detach", "-d") { Description = "Run in the background and print the container ID" };
    private static readonly Option<string?> Name = new("--name") { Description = "Assign a name to the container" };
    private static readonly Option<string[]> Env = new("--env", "-e") { Description = "Set an environment variable (KEY=VALUE, or KEY to copy it from here)" };
    private static readonly Option<string[]> EnvFile = new("--env-file") { Description = "Read environment variables from a file" };
    private static readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "Working directory inside the container" };
    private static readonly Option<string?> User = new("--user", "-u") { Description = "Username or UID[:GID] to run as" };
    private static readonly Option<string?> Hostname = new("--hostname") { Description = "Container host name" };
    private static readonly Option<string?> Entrypoint = new("--entrypoint") { Description = "Overwrite the image's ENTRYPOINT" };
    private static readonly Option<string?> Memory = new("--memory", "-m") { Description = "Memory limit (e.g. 64m, 1g)" };
    private static readonly Option<string?> MemorySwap = new("--memory-swap") { Description = "Memory plus swap limit; -1 for unlimited swap" };
    private static readonly Option<decimal?> Cpus = new("--cpus") { Description = "Number of CPUs (CFS quota)" };
    private static readonly Option<ulong?> CpuShares = new("--cpu-shares", "-c") { Description = "CPU shares (relative weight)" };
    private static readonly Option<string?> CpusetCpus = new("--cpuset-cpus") { Description = "CPUs in which to allow execution (0-3, 0,1)" };
    private static readonly Option<long?> PidsLimit = new("--pids-limit") { Description = "Limit on the number of processes (-1 for unlimited)" };
    private static readonly Option<string[]> CapAdd = new("--cap-add") { Description = "Add a Linux capability" };
    private static readonly Option<string[]> CapDrop = new("--cap-drop") { Description = "Drop a Linux capability" };
    private static readonly Option<bool> Privileged = new("--privileged") { Description = "Give all capabilities and lift the default confinement" };
    private static readonly Option<bool> ReadOnly = new("--read-only") { Description = "Mount the container's root filesystem read-only" };
    private static readonly Option<string[]> SecurityOpt = new("--security-opt") { Description = "Security options (no-new-privileges)" };
    private static readonly Option<string> Network = new("--network", "--net") { Description = "Network mode: none or host", DefaultValueFactory = _ => "none" };
    private static readonly Option<string?> CgroupParent = new("--cgroup-parent") { Description = "Parent cgroup for the container (default skiff)" };
    private static readonly Argument<string> Image = new("image") { Description = "The image to run" };
    private static readonly Argument<string[]> Command = new(PositionalSplitter.CommandArgument) { Description = "The command and its arguments", Arity = ArgumentArity.ZeroOrMore };

    public static Command Build()
    {
        var command = new Command("run", "Create and run a new container from an image")
        {
            Remove, Interactive, Tty, Detach, Name, Env, EnvFile, Workdir, User, Hostname, Entrypoint,
            Memory, MemorySwap, Cpus, CpuShares, CpusetCpus, PidsLimit, CapAdd, CapDrop, Privileged,
            ReadOnly, SecurityOpt, Network, CgroupParent, Image, Command,
        };
        command.SetAction(Execute);
        return command;
    }

    private static int Execute(ParseResult p)
    {
        if (p.GetValue(Detach))
            throw new ArgumentException("detached containers (-d) are not supported yet: run in the foreground");
        var request = ToRequest(p);
        var engine = new ContainerEngine(SkiffPaths.FromEnvironment());
        var outcome = new ForegroundRun(engine).Run(request, p.GetValue(Remove));
        if (outcome.OomKilled)
            Console.Error.WriteLine($"skiff: the container was killed because it ran out of memory (limit {p.GetValue(Memory)}); raise it with --memory");
        return outcome.ExitCode;
    }

    internal static RunRequest ToRequest(ParseResult p)
    {
        var securityOpts = p.GetValue(SecurityOpt) ?? [];
        var unknown = securityOpts.FirstOrDefault(o => o is not ("no-new-privileges" or "no-new-privileges:true" or "no-new-privileges=true"));
        if (unknown is not null) throw new ArgumentException($"unsupported --security-opt \"{unknown}\" (supported: no-new-privileges)");
        var entrypoint = p.GetValue(Entrypoint);
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
            Network = p.GetValue(Network) switch
            {
                "none" => NetworkMode.None,
                "host" => NetworkMode.Host,
                var other => throw new ArgumentException($"network mode \"{other}\" is not supported yet: use --network none or --network host"),
            },
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
        };
    }
}
