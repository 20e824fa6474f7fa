using System.Text;
using System.Text.Json;

namespace Skiff.Images.Registry;

public sealed record RegistryCredentials(string Username, string Password);

/// <summary>What <c>skiff login</c> remembers, one entry per registry domain, in a file only its owner
/// can read (created 0600, never widened). Writes replace the file by rename.</summary>
public sealed class CredentialStore(string path)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Path { get; } = path;

    public RegistryCredentials? Get(string domain)
    {
        if (!Read().Auths.TryGetValue(domain, out var entry))
            return null;
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(entry.Auth));
        var colon = text.IndexOf(':');
        return colon < 0
            ? throw new RegistryException($"{Path}: the entry for {domain} is not base64(user:password): run `skiff login {domain}` again")
            : new RegistryCredentials(text[..colon], text[(colon + 1)..]);
    }

    public void Save(string domain, RegistryCredentials credentials)
    {
        var file = Read();
        file.Auths[domain] = new CredentialEntry { Auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")) };
        Write(file);
    }

    /// <summary>Returns whether there was anything to forget.</summary>
    public bool Remove(string domain)
    {
        var file = Read();
        if (!file.Auths.Remove(domain))
            return false;
        Write(file);
        return true;
    }

    private CredentialFile Read()
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(Path), RegistryJsonContext.Default.CredentialFile) ?? new CredentialFile();
        }
        catch (FileNotFoundException)
        {
            return new CredentialFile();
        }
        catch (DirectoryNotFoundException)
        {
            return new CredentialFile();
        }
    }

    private void Write(CredentialFile file)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temp = $"{Path}.tmp-{Environment.ProcessId}";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly };
        using (var stream = new FileStream(temp, options))
            JsonSerializer.Serialize(stream, file, RegistryJsonContext.Default.CredentialFile);
        // UnixCreateMode is filtered by the umask and ignored for an existing file: set it outright.
        File.SetUnixFileMode(temp, OwnerOnly);
        File.Move(temp, Path, overwrite: true);
    }
}
