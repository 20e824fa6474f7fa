using System.Text.Json;
using System.Text.RegularExpressions;

namespace Skiff.Runtime.Oci;

/// <summary>
/// The runtime's --root: a directory per container holding its state.json and, between create and
/// start, its exec.fifo. runc's own layout, so tools that look there find what they expect.
/// </summary>
public sealed partial class StateRoot(string path)
{
    /// <summary>runc's default for root: /run/runc; ours sits beside it.</summary>
    public const string DefaultPath = "/run/skiff-runc";

    public string Path { get; } = path;

    public string Directory(string id) => System.IO.Path.Join(Path, CheckId(id));
    public string StartFifo(string id) => System.IO.Path.Join(Directory(id), "exec.fifo");
    private string StateFile(string id) => System.IO.Path.Join(Directory(id), "state.json");

    public bool Exists(string id) => File.Exists(StateFile(id));

    public ContainerState Load(string id)
    {
        try
        {
            using var stream = File.OpenRead(StateFile(id));
            return JsonSerializer.Deserialize(stream, OciJson.Default.ContainerState)
                ?? throw new OciException($"container {id}: its state file is empty");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new OciException($"container {id} does not exist");
        }
        catch (JsonException)
        {
            throw new OciException($"container {id}: its state file {StateFile(id)} is damaged; remove {Directory(id)} and the container's processes by hand");
        }
    }

    /// <summary>Written whole to a temporary file and renamed over the old one, so a reader never sees half a state.</summary>
    public void Save(ContainerState state)
    {
        var file = StateFile(state.Id);
        var temporary = file + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(state, OciJson.Default.ContainerState));
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>Makes the container's directory; a second create of the same id fails here.</summary>
    public void Claim(string id)
    {
        var dir = Directory(id);
        if (System.IO.Directory.Exists(dir)) throw new OciException($"container with id {id} already exists: delete it first or choose another id");
        System.IO.Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    public void Remove(string id)
    {
        if (System.IO.Directory.Exists(Directory(id))) System.IO.Directory.Delete(Directory(id), recursive: true);
    }

    public IReadOnlyList<string> Ids() =>
        System.IO.Directory.Exists(Path)
            ? System.IO.Directory.GetDirectories(Path).Select(System.IO.Path.GetFileName).Where(n => n is not null && !n.StartsWith('.')).Select(n => n!).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>runc's rule for ids: letters, digits and <c>_ + - .</c>, as one path segment.</summary>
    public static string CheckId(string id) =>
        IdPattern().IsMatch(id) && id is not ("." or "..")
            ? id
            : throw new OciException($"invalid container id \"{id}\": use letters, digits, '_', '+', '-' and '.' only");

    [GeneratedRegex(@"^[\w+.-]+$")]
    private static partial Regex IdPattern();
}
