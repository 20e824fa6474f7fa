using System.Text.Json;

namespace Skiff.Engine.State;

/// <summary>
/// Copies of the records kept beside the database, from which <c>skiff system repair</c> rebuilds
/// it: a container's <c>container.json</c> (what it was created from) and <c>endpoints.json</c>
/// (the addresses and host ports it holds) in its own directory, and a file per network under
/// <c>networks/</c>. Each is written whole to a temporary name and renamed, so a copy is either the
/// old one or the new one, never half of either.
/// </summary>
public static class RecordCopies
{
    public static string ContainerFile(string root, string id) => Path.Join(root, "containers", id, "container.json");

    public static string EndpointsFile(string root, string id) => Path.Join(root, "containers", id, "endpoints.json");

    public static string NetworksDirectory(string root) => Path.Join(root, "networks");

    public static string NetworkFile(string root, string name) => Path.Join(NetworksDirectory(root), name + ".json");

    /// <summary>How many containers and networks have copies: what a lost database would forget.</summary>
    public static int Count(string root)
    {
        var containers = Path.Join(root, "containers");
        var networks = NetworksDirectory(root);
        return (Directory.Exists(containers) ? Directory.EnumerateDirectories(containers).Count() : 0)
            + (Directory.Exists(networks) ? Directory.EnumerateFiles(networks, "*.json").Count() : 0);
    }

    public static void Write(string path, Action<Utf8JsonWriter> write)
    {
        var temporary = path + ".new";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream))
            write(json);
        File.Move(temporary, path, overwrite: true);
    }
}
