using System.Text.Json;
using Skiff.Runtime.Oci;

namespace Skiff.Cli.Runc;

/// <summary>runc spec: writes a starting config.json into the bundle (the current directory by default), never over an existing one.</summary>
public static class SpecVerb
{
    public static int Run(List<string> args)
    {
        var parsed = RuncArguments.Parse(args, "spec", ["bundle|b"], ["rootless"]);
        var file = Path.Join(parsed.Value("bundle") ?? Directory.GetCurrentDirectory(), "config.json");
        if (File.Exists(file)) throw new OciException($"spec: {file} already exists: remove it first to write a new one");
        var spec = DefaultSpec.Create(parsed.Has("rootless"), Skiff.Linux.Identity.EffectiveUid, Skiff.Linux.Identity.EffectiveGid);
        File.WriteAllText(file, JsonSerializer.Serialize(spec, OciJsonIndented.Default.RuntimeSpec) + "\n");
        return 0;
    }
}
