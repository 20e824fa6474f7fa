using Skiff.Images;
using Skiff.Images.Registry;

namespace Skiff.Engine.Images;

/// <summary>
/// The registry verbs (pull, push, login, logout) as every front end calls them: the image store and
/// the credentials under the Skiff root, and the plain-HTTP registries the caller allows.
/// </summary>
public sealed class RegistryTransfers(SkiffPaths paths, IReadOnlyCollection<string> insecureRegistries)
{
    private CredentialStore Credentials => new(Path.Join(paths.Root, "auth.json"));

    private RegistryOptions Options => new() { InsecureRegistries = insecureRegistries, Credentials = Credentials };

    public PullResult Pull(ImageReference reference, Action<TransferProgress>? progress) =>
        new ImagePuller(new ImageStore(paths.Images), Options).Pull(reference, progress);

    /// <summary>A puller for a caller that pulls as part of its own work (build --pull).</summary>
    public ImagePuller Puller() => new(new ImageStore(paths.Images), Options);

    /// <param name="localReference">A local name or id.</param>
    /// <param name="target">Where to push; usually the same name.</param>
    public PushResult Push(string localReference, ImageReference target, Action<TransferProgress>? progress) =>
        new ImagePusher(new ImageStore(paths.Images), Options).Push(localReference, target, progress);

    /// <summary>Keeps the credentials for <paramref name="server"/> once the registry accepted them: a wrong password is never stored.</summary>
    public void Login(string server, RegistryCredentials credentials)
    {
        var candidate = new CredentialStore(Path.Join(Path.GetTempPath(), $"skiff-login-{Guid.NewGuid():N}.json"));
        try
        {
            candidate.Save(server, credentials);
            using var client = new RegistryClient(server, Options with { Credentials = candidate });
            client.CheckLogin();
        }
        finally
        {
            File.Delete(candidate.Path);
        }
        Credentials.Save(server, credentials);
    }

    /// <summary>Forgets the credentials for <paramref name="server"/>; false when there were none.</summary>
    public bool Logout(string server) => Credentials.Remove(server);

    /// <summary>The registry a login names: Docker accepts URLs here ("https://index.docker.io/v1/"); the domain is what counts.</summary>
    public static string ServerDomain(string? server)
    {
        server ??= ImageReference.DefaultDomain;
        if (Uri.TryCreate(server, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            server = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        return server is "index.docker.io" or "registry-1.docker.io" ? ImageReference.DefaultDomain : server;
    }
}
