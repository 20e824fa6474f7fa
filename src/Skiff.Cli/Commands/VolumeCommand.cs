using System.CommandLine;
using System.Text.Json;
using Skiff.Engine.State;
using Skiff.Engine.Volumes;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff volume create|ls|inspect|rm|prune</c>, over the engine's <see cref="VolumeStore"/>.</summary>
public static class VolumeCommand
{
    private static readonly Argument<string?> Name = new("name") { Description = "Volume name (a random one when omitted)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Argument<string[]> Names = new("volumes") { Description = "Volume names", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string[]> Label = new("--label", "-l") { Description = "Set metadata on the volume (KEY=VALUE)" };
    private static readonly Option<string?> Driver = new("--driver", "-d") { Description = "Volume driver (only local)" };
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Only display volume names" };
    private static readonly Option<bool> Force = new("--force", "-f") { Description = "Remove volumes even when containers use them" };
    private static readonly Option<bool> PruneAll = new("--all", "-a") { Description = "Remove all unused volumes, not just anonymous ones" };
    private static readonly Option<bool> PruneForce = new("--force", "-f") { Description = "Do not prompt for confirmation" };

    public static Command Build()
    {
        var create = new Command("create", "Create a volume") { Name, Label, Driver };
        create.SetAction(p => Create(p));
        var ls = new Command("ls", "List volumes") { Quiet };
        ls.Aliases.Add("list");
        ls.SetAction(p => List(p));
        var inspect = new Command("inspect", "Show volumes as Docker's JSON") { Names };
        inspect.SetAction(p => Inspect(p));
        var rm = new Command("rm", "Remove volumes") { Names, Force };
        rm.Aliases.Add("remove");
        rm.SetAction(p => Each(p, (volumes, name) => { volumes.Remove(name, p.GetValue(Force)); Console.WriteLine(name); }));
        var prune = new Command("prune", "Remove volumes no container uses") { PruneAll, PruneForce };
        prune.SetAction(p => Prune(p));
        return new Command("volume", "Manage volumes") { create, ls, inspect, rm, prune };
    }

    private static int Create(ParseResult p)
    {
        if (p.GetValue(Driver) is { } driver && driver != "local")
            throw new InvalidInputException($"volume driver \"{driver}\" is not supported: only local volumes exist");
        var labels = new Dictionary<string, string>();
        foreach (var label in p.GetValue(Label) ?? [])
        {
            var kv = label.Split('=', 2);
            labels[kv[0]] = kv.Length == 2 ? kv[1] : "";
        }
        using var engine = ContainerArguments.Engine();
        Console.WriteLine(engine.Volumes.Create(p.GetValue(Name), labels).Name);
        return 0;
    }

    private static int List(ParseResult p)
    {
        using var engine = ContainerArguments.Engine();
        var volumes = engine.Volumes.List();
        if (!p.GetValue(Quiet)) Console.WriteLine("DRIVER    VOLUME NAME");
        foreach (var v in volumes) Console.WriteLine(p.GetValue(Quiet) ? v.Name : $"local     {v.Name}");
        return 0;
    }

    private static int Inspect(ParseResult p)
    {
        var found = new List<VolumeRecord>();
        var status = Each(p, (volumes, name) => found.Add(volumes.Find(name)));
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var v in found)
            {
                w.WriteStartObject();
                w.WriteString("CreatedAt", ContainerStore.FormatTime(v.Created));
                w.WriteString("Driver", "local");
                w.WriteStartObject("Labels");
                foreach (var (key, value) in v.Labels) w.WriteString(key, value);
                w.WriteEndObject();
                w.WriteString("Mountpoint", v.Mountpoint);
                w.WriteString("Name", v.Name);
                w.WriteStartObject("Options");
                w.WriteEndObject();
                w.WriteString("Scope", "local");
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stdout.Write("\n"u8);
        return status;
    }

    private static int Prune(ParseResult p)
    {
        var all = p.GetValue(PruneAll);
        if (!p.GetValue(PruneForce))
        {
            Console.Write($"WARNING! This will remove {(all ? "all" : "anonymous")} local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ");
            if (Console.ReadLine()?.Trim() is not ("y" or "Y")) return 0;
        }
        using var engine = ContainerArguments.Engine();
        var report = engine.Volumes.Prune(all);
        if (report.Deleted.Count > 0)
        {
            Console.WriteLine("Deleted Volumes:");
            foreach (var name in report.Deleted) Console.WriteLine(name);
            Console.WriteLine();
        }
        Console.WriteLine($"Total reclaimed space: {HumanSizes.Decimal(report.ReclaimedBytes)}");
        return 0;
    }

    /// <summary>Runs the action on each named volume; a failure is reported and the rest still run (exit 1 then, as Docker).</summary>
    private static int Each(ParseResult p, Action<VolumeStore, string> action)
    {
        using var engine = ContainerArguments.Engine();
        var volumes = engine.Volumes;
        return ContainerArguments.ForEach(p.GetValue(Names)!, name => action(volumes, name));
    }
}
