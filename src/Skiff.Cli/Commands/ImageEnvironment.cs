using System.CommandLine;
using Skiff.Engine;
using Skiff.Images;
using Skiff.Engine.Images;

namespace Skiff.Cli.Commands;

/// <summary>What every image verb opens: the store under the Skiff root, the credentials beside it,
/// and the registry options shared by pull, push and login.</summary>
internal static class ImageEnvironment
{
    public static readonly Option<string[]> InsecureRegistry = new("--insecure-registry")
    {
        Description = "Reach this registry (host:port) over plain HTTP; loopback registries always are",
    };

    public static ImageStore Store() => new(SkiffPaths.FromEnvironment().Images);

    /// <summary>Which images containers use, from the container records, so rmi and prune leave them alone.</summary>
    public static IImageUsers Users => new Engine.Containers.ContainerImageUsers(SkiffPaths.FromEnvironment(), Store());

    /// <summary>Pull, push, login and logout, with the registries --insecure-registry allows over plain HTTP.</summary>
    public static RegistryTransfers Transfers(ParseResult p) => new(SkiffPaths.FromEnvironment(), p.GetValue(InsecureRegistry) ?? []);

    public static string ShortId(Digest digest) => digest.Hex[..12];

}
