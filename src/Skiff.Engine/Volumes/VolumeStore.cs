using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Skiff.Engine.State;
using Skiff.Images;
using Skiff.Linux;

namespace Skiff.Engine.Volumes;

public sealed class NoSuchVolumeException(string name)
    : SkiffException($"no such volume: {name} (see `skiff volume ls` for the volumes there are)");

/// <summary>A local volume: a directory the engine owns, mounted into containers, outliving them.</summary>
public sealed record VolumeRecord(string Name, DateTime Created, IReadOnlyDictionary<string, string> Labels, string Mountpoint)
{
    /// <summary>Docker's label for a volume made by -v /path, which rm -v and a plain prune remove.</summary>
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    public bool Anonymous => Labels.ContainsKey(AnonymousLabel);
}

public sealed record VolumePruneReport(IReadOnlyList<string> Deleted, long ReclaimedBytes);

/// <summary>
/// The volume records (the volumes table) and their directories, <c>&lt;root&gt;/volumes/NAME/_data</c>.
/// A volume is in use while any container record, running or not, mounts it, as in Docker.
/// </summary>
public sealed class VolumeStore(StateDatabase db, SkiffPaths paths)
{
    public string Mountpoint(string name) => Path.Join(paths.Volumes, name, "_data");

    /// <summary>Creates the volume, or returns it when it exists already (create is idempotent, as in Docker).</summary>
    public VolumeRecord Create(string? name, IReadOnlyDictionary<string, string>? labels = null)
    {
        if (name is not null) MountSyntax.ValidateVolumeName(name);
        name ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(Mountpoint(name));
        using var tx = db.Begin();
        db.Execute("INSERT OR IGNORE INTO volumes (name, created, labels) VALUES ($name, $created, $labels)", tx,
            ("$name", name), ("$created", ContainerStore.FormatTime(DateTime.UtcNow)),
            ("$labels", JsonSerializer.Serialize(new Dictionary<string, string>(labels ?? new Dictionary<string, string>()), EngineJson.Default.DictionaryStringString)));
        var record = Read("SELECT name, created, labels FROM volumes WHERE name = $name", tx, ("$name", name)).Single();
        tx.Commit();
        return record;
    }

    public VolumeRecord Find(string name) =>
        Read("SELECT name, created, labels FROM volumes WHERE name = $name", null, ("$name", name)).SingleOrDefault()
        ?? throw new NoSuchVolumeException(name);

    public IReadOnlyList<VolumeRecord> List() => Read("SELECT name, created, labels FROM volumes ORDER BY name", null);

    /// <summary>The containers (any state) whose mounts name the volume.</summary>
    public IReadOnlyList<ContainerRecord> Users(string name) =>
        new ContainerStore(db).List().Where(c => c.Request.Mounts.Any(m => m.Type == MountType.Volume && m.Source == name)).ToList();

    /// <summary>Removes a volume and its data; one that a container mounts is refused unless forced.</summary>
    public void Remove(string name, bool force)
    {
        var volume = Find(name);
        var users = Users(name);
        if (users.Count > 0 && !force)
            throw new ConflictException($"remove {name}: volume is in use - [{string.Join(", ", users.Select(c => c.Id))}]: remove those containers first (skiff rm), or use volume rm -f");
        Delete(volume);
    }

    /// <summary>Removes the volumes no container uses: the anonymous ones, or with <paramref name="all"/> the named ones too.</summary>
    public VolumePruneReport Prune(bool all)
    {
        var used = new ContainerStore(db).List().SelectMany(c => c.Request.Mounts)
            .Where(m => m.Type == MountType.Volume && m.Source is not null).Select(m => m.Source!).ToHashSet();
        var deleted = new List<string>();
        long reclaimed = 0;
        foreach (var volume in List().Where(v => !used.Contains(v.Name) && (all || v.Anonymous)))
        {
            reclaimed += Size(volume.Mountpoint);
            Delete(volume);
            deleted.Add(volume.Name);
        }
        return new VolumePruneReport(deleted, reclaimed);
    }

    /// <summary>rm -v (or a create that failed): the container's anonymous volumes go with it, unless another container mounts them too.</summary>
    public void RemoveAnonymous(string containerId, IEnumerable<MountRequest> mounts)
    {
        foreach (var mount in mounts.Where(m => m is { Type: MountType.Volume, Anonymous: true, Source: not null }))
            if (Users(mount.Source!).All(c => c.Id == containerId)) Delete(Find(mount.Source!));
    }

    /// <summary>
    /// Makes the request's mounts concrete at create: names anonymous volumes, creates volumes on
    /// demand and fills a new (empty) one from the image's content at its target, creates a missing
    /// -v host directory, and records the host directory each mount uses.
    /// </summary>
    public RunRequest Attach(RunRequest request, LocalImage image)
    {
        MountSyntax.CheckDuplicates(request.Mounts);
        var mounts = new List<MountRequest>();
        foreach (var m in request.Mounts)
        {
            switch (m.Type)
            {
                case MountType.Bind:
                    if (m.CreateHostPath && !Path.Exists(m.Source)) Directory.CreateDirectory(m.Source!);
                    mounts.Add(m with { HostPath = m.Source });
                    break;
                case MountType.Volume:
                    var volume = Create(m.Source, m.Anonymous ? new Dictionary<string, string> { [VolumeRecord.AnonymousLabel] = "" } : null);
                    if (!m.NoCopy && !Directory.EnumerateFileSystemEntries(volume.Mountpoint).Any())
                        VolumeCopyUp.Fill(image.LayerDirs, m.Target, volume.Mountpoint);
                    mounts.Add(m with { Source = volume.Name, HostPath = volume.Mountpoint });
                    break;
                default:
                    mounts.Add(m);
                    break;
            }
        }
        return request with { Mounts = mounts };
    }

    private void Delete(VolumeRecord volume)
    {
        db.Execute("DELETE FROM volumes WHERE name = $name", null, ("$name", volume.Name));
        var dir = Path.GetDirectoryName(volume.Mountpoint)!;
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private static long Size(string dir) =>
        Directory.Exists(dir)
            ? new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Where(f => f.LinkTarget is null).Sum(f => f.Length)
            : 0;

    private List<VolumeRecord> Read(string sql, SqliteTransaction? tx, params (string, object?)[] parameters)
    {
        using var command = db.Command(sql, tx, parameters);
        using var reader = command.ExecuteReader();
        var result = new List<VolumeRecord>();
        while (reader.Read())
        {
            var name = reader.GetString(0);
            result.Add(new VolumeRecord(name, ContainerStore.ParseTime(reader.GetString(1)),
                JsonSerializer.Deserialize(reader.GetString(2), EngineJson.Default.DictionaryStringString) ?? [],
                Mountpoint(name)));
        }
        return result;
    }
}
