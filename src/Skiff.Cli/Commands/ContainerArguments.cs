using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary>The "one or more containers" argument most verbs take, and running a verb over each like Docker does.</summary>
public static class ContainerArguments
{
    public static Argument<string[]> Many() => new("containers") { Description = "Container names or IDs (any unique ID prefix)", Arity = ArgumentArity.OneOrMore };

    public static ContainerEngine Engine() => new(SkiffPaths.FromEnvironment());

    /// <summary>Applies the action to each container; an error for one is reported and the rest still run (exit 1 then, as Docker).</summary>
    public static int ForEach(IEnumerable<string> references, Action<string> action)
    {
        var failed = false;
        foreach (var reference in references)
        {
            try
            {
                action(reference);
            }
            // A damaged or unwritable state directory fails every container alike: said once, as the engine's failure.
            catch (Exception e) when (e is not (OutOfMemoryException or Skiff.Engine.State.StateDamagedException or Skiff.Engine.State.StateUnwritableException))
            {
                SkiffCli.Report(e);
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }
}
