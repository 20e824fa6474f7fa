using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Skiff.Linux;

namespace Skiff.Engine.State;

public sealed class NoSuchContainerException(string reference)
    : SkiffException($"no such container: {reference} (see `skiff ps -a` for the containers there are)");

public sealed class ConflictException(string message) : SkiffException(message);

/// <summary>The container records: lookups by id, unique id prefix or name, and transactional updates.</summary>
public sealed partial class ContainerStore(StateDatabase db)
{
    private const string Columns = "id, name, image, image_id, created, request, status, pid, monitor_pid, exit_code, oom_killed, started_at, finished_at, restart_count, stop_requested, error";

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex ValidName();

    public static void ValidateName(string name)
    {
        if (!ValidName().IsMatch(name))
            throw new InvalidInputException($"invalid container name \"{name}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least two characters");
    }

    /// <summary>Inserts a new record; a taken name is a conflict that names the container holding it.</summary>
    public void Insert(ContainerRecord record)
    {
        using var tx = db.Begin();
        if (db.Scalar("SELECT id FROM containers WHERE name = $name", tx, ("$name", record.Name)) is string holder)
            throw new ConflictException($"the container name \"{record.Name}\" is already in use by container {holder}: remove or rename that container to reuse the name");
        var request = JsonSerializer.Serialize(record.Request, EngineJson.Default.RunRequest);
        db.Execute($"INSERT INTO containers ({Columns}) VALUES ($id, $name, $image, $image_id, $created, $request, $status, $pid, $monitor_pid, $exit_code, $oom_killed, $started_at, $finished_at, $restart_count, $stop_requested, $error)",
            tx, [.. Parameters(record), ("$request", request)]);
        tx.Commit();
        KnownRequests[record.Id] = (request, record.Request);
    }

    /// <summary>Reads, changes and writes one record in a single transaction, so concurrent updates never interleave.</summary>
    public ContainerRecord Update(string id, Func<ContainerRecord, ContainerRecord> change)
    {
        using var tx = db.Begin();
        var current = Read($"SELECT {Columns} FROM containers WHERE id = $id", tx, ("$id", id)).SingleOrDefault()
            ?? throw new NoSuchContainerException(id);
        var updated = change(current);
        db.Execute("""
            UPDATE containers SET name = $name, status = $status, pid = $pid, monitor_pid = $monitor_pid, exit_code = $exit_code,
              oom_killed = $oom_killed, started_at = $started_at, finished_at = $finished_at, restart_count = $restart_count,
              stop_requested = $stop_requested, error = $error WHERE id = $id
            """, tx, Parameters(updated));
        tx.Commit();
        return updated;
    }

    /// <summary>
    /// Changes a container's settings in a single transaction: only <c>network connect</c> and
    /// <c>disconnect</c> do, so this is the one update that writes the request (<see cref="Update"/> never does).
    /// </summary>
    public ContainerRecord UpdateRequest(string id, Func<RunRequest, RunRequest> change)
    {
        using var tx = db.Begin();
        var current = Read($"SELECT {Columns} FROM containers WHERE id = $id", tx, ("$id", id)).SingleOrDefault()
            ?? throw new NoSuchContainerException(id);
        var request = change(current.Request);
        var json = JsonSerializer.Serialize(request, EngineJson.Default.RunRequest);
        db.Execute("UPDATE containers SET request = $request WHERE id = $id", tx, ("$request", json), ("$id", id));
        tx.Commit();
        KnownRequests[id] = (json, request);
        return current with { Request = request };
    }

    public void Delete(string id) => db.Execute("DELETE FROM containers WHERE id = $id", null, ("$id", id));

    public bool NameTaken(string name) =>
        db.Scalar("SELECT 1 FROM containers WHERE name = $name", null, ("$name", name)) is not null;

    public ContainerRecord? TryGet(string id) =>
        Read($"SELECT {Columns} FROM containers WHERE id = $id", null, ("$id", id)).SingleOrDefault();

    public IReadOnlyList<ContainerRecord> List() => Read($"SELECT {Columns} FROM containers ORDER BY created DESC", null);

    /// <summary>Finds a container the way Docker does: full id, then exact name, then a unique id prefix.</summary>
    public ContainerRecord Find(string reference)
    {
        var all = List();
        var byId = all.FirstOrDefault(c => c.Id == reference) ?? all.FirstOrDefault(c => c.Name == reference.TrimStart('/'));
        if (byId is not null) return byId;
        var prefixed = all.Where(c => c.Id.StartsWith(reference, StringComparison.Ordinal)).ToList();
        return prefixed.Count switch
        {
            1 => prefixed[0],
            0 => throw new NoSuchContainerException(reference),
            _ => throw new InvalidInputException($"container id prefix \"{reference}\" is ambiguous: it matches {prefixed.Count} containers; give more characters"),
        };
    }

    private IReadOnlyList<ContainerRecord> Read(string sql, SqliteTransaction? tx, params (string, object?)[] parameters)
    {
        using var command = db.Command(sql, tx, parameters);
        using var reader = command.ExecuteReader();
        var result = new List<ContainerRecord>();
        while (reader.Read())
        {
            result.Add(new ContainerRecord
            {
                Id = reader.GetString(0),
                Name = reader.GetString(1),
                Image = reader.GetString(2),
                ImageId = reader.GetString(3),
                Created = ParseTime(reader.GetString(4)),
                StoredRequest = RequestOf(reader.GetString(0), reader.GetString(5)),
                Status = Enum.Parse<ContainerStatus>(reader.GetString(6), ignoreCase: true),
                Pid = reader.GetInt32(7),
                MonitorPid = reader.GetInt32(8),
                ExitCode = reader.GetInt32(9),
                OomKilled = reader.GetInt32(10) != 0,
                StartedAt = reader.IsDBNull(11) ? null : ParseTime(reader.GetString(11)),
                FinishedAt = reader.IsDBNull(12) ? null : ParseTime(reader.GetString(12)),
                RestartCount = reader.GetInt32(13),
                StopRequested = reader.GetInt32(14) != 0,
                Error = reader.IsDBNull(15) ? null : reader.GetString(15),
            });
        }
        return result;
    }

    // A request this process wrote or parsed is not parsed again while the stored JSON is the same
    // (a foreground run inserts, updates and removes its record without ever parsing it). The JSON
    // is compared because UpdateRequest in another process (a network connect while a long-lived
    // monitor holds the old request) changes it: comparing costs far less than parsing.
    private static readonly ConcurrentDictionary<string, (string Json, RunRequest Request)> KnownRequests = new();

    private static Func<RunRequest> RequestOf(string id, string json) => () =>
    {
        if (KnownRequests.TryGetValue(id, out var known) && known.Json == json) return known.Request;
        var request = JsonSerializer.Deserialize(json, EngineJson.Default.RunRequest)!;
        KnownRequests[id] = (json, request);
        return request;
    };

    // Only UpdateRequest writes the request, so status updates neither read nor write it.
    private static (string, object?)[] Parameters(ContainerRecord r) =>
    [
        ("$id", r.Id), ("$name", r.Name), ("$image", r.Image), ("$image_id", r.ImageId),
        ("$created", FormatTime(r.Created)),
        ("$status", r.Status.ToString().ToLowerInvariant()), ("$pid", r.Pid), ("$monitor_pid", r.MonitorPid),
        ("$exit_code", r.ExitCode), ("$oom_killed", r.OomKilled ? 1 : 0),
        ("$started_at", r.StartedAt is { } s ? FormatTime(s) : null), ("$finished_at", r.FinishedAt is { } f ? FormatTime(f) : null),
        ("$restart_count", r.RestartCount), ("$stop_requested", r.StopRequested ? 1 : 0), ("$error", r.Error),
    ];

    /// <summary>RFC 3339 with nanosecond digits, as Docker prints times.</summary>
    public static string FormatTime(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture);

    internal static DateTime ParseTime(string s) =>
        DateTime.Parse(s.Replace("00Z", "Z"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
