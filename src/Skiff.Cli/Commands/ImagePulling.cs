using Skiff.Linux;
using System.CommandLine;
using Skiff.Images;

namespace Skiff.Cli.Commands;

/// <summary>
/// <c>run</c>/<c>create --pull</c>: Docker pulls an image that is not here (<c>missing</c>, the
/// default), every time (<c>always</c>) or never, and says so on stderr before the pull's progress,
/// so that stdout stays the container's (or its id).
/// </summary>
internal static class ImagePulling
{
    public const string Missing = "missing", Always = "always", Never = "never";

    public static readonly Option<string> Policy = new("--pull")
    {
        Description = "Pull image before running (\"always\", \"missing\", \"never\")",
        DefaultValueFactory = _ => Missing,
    };

    /// <summary>The policy, spelled as Docker spells it.</summary>
    private static string Check(string policy) => policy is Missing or Always or Never
        ? policy
        : throw new InvalidInputException($"invalid --pull \"{policy}\": use always, missing or never");

    public static void Ensure(string policy, string image)
    {
        if (Check(policy) == Never) return;
        if (policy == Missing)
        {
            try
            {
                ImageEnvironment.Store().Require(image);
                return;
            }
            catch (ImageNotFoundException)
            {
                // Not here: pull it, as Docker does.
            }
        }
        var reference = ImageReference.Parse(image);
        if (policy == Missing) Console.Error.WriteLine($"Unable to find image '{reference.Familiar}' locally");
        PullCommand.Pull(reference, ImageEnvironment.Transfers([]), quiet: false, Console.Error);
    }
}
