using Microsoft.Data.Sqlite;
using Microsoft.Win32.SafeHandles;
using Skiff.Linux;

namespace Skiff.Engine.State;

/// <summary>
/// The one SQLite database every skiff process shares (WAL, so readers never wait for a writer;
/// a busy timeout, so concurrent writers queue instead of failing). Every change is a transaction.
/// </summary>
public sealed class StateDatabase : IDisposable
{
    private const int SchemaVersion = 3;
    private readonly SqliteConnection _connection;
    private readonly string _writeLockPath;

    // Microsoft.Data.Sqlite finds a provider by reflection over "bundle" assemblies; Skiff names
    // its one provider (Debian's libsqlite3, linked into the executable) instead.
    static StateDatabase() => SQLitePCL.raw.SetProvider(new SQLitePCL.SQLite3Provider_sqlite3());

    /// <summary>The state directory the database is in.</summary>
    public string Root { get; }

    /// <param name="rebuilding">for <c>system repair</c>: a new, empty database beside the copies it is rebuilt from is expected.</param>
    public StateDatabase(string root, bool rebuilding = false)
    {
        Directory.CreateDirectory(root);
        Root = root;
        var path = Path.Join(root, FileName);
        if (!rebuilding) RefuseDamaged(path);
        _writeLockPath = Path.Join(root, "skiff.db.writers");
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            _connection.Open();
            // Closing the last connection would copy the WAL into the database and sync it twice, in
            // every command that wrote anything; SQLite's automatic checkpoint (every 1000 pages of
            // WAL) does that work once for many commands instead.
            SQLitePCL.raw.sqlite3_db_config(_connection.Handle, SQLitePCL.raw.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
            Execute("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
            Migrate();
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            if (e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
                throw StateDamagedException.Unreadable(path, e.Message.Replace("SQLite Error", "SQLite error", StringComparison.Ordinal));
            throw StateUnwritableException.From(e, root) ?? (Exception)e;
        }
    }

    public const string FileName = "skiff.db";
    private const int SqliteCorrupt = 11, SqliteNotADatabase = 26;

    /// <summary>
    /// A missing or empty database is a new one only when nothing of an older one is left: with
    /// container directories or network copies around, it was lost, and a new one would forget
    /// them. A cut or overwritten file is refused whatever is around.
    /// </summary>
    private void RefuseDamaged(string path)
    {
        var condition = StateFileCheck.Inspect(path);
        if (condition == StateFileCondition.Sound) return;
        var leftovers = condition is StateFileCondition.Missing or StateFileCondition.Empty ? RecordCopies.Count(Root) : 0;
        if (condition is StateFileCondition.Truncated or StateFileCondition.NotADatabase || leftovers > 0)
            throw StateDamagedException.For(path, condition, leftovers);
    }

    /// <summary>
    /// For <c>system repair</c>: a damaged database (with its WAL and shared-memory files) is moved
    /// aside under a dated name, so that a new one can be made; its path, or null when it was sound.
    /// </summary>
    public static string? SetAsideDamaged(string root)
    {
        var path = Path.Join(root, FileName);
        var condition = StateFileCheck.Inspect(path);
        if (condition == StateFileCondition.Sound && Readable(path)) return null;
        if (condition == StateFileCondition.Missing)
        {
            foreach (var suffix in new[] { "-wal", "-shm" }) File.Delete(path + suffix);
            return null;
        }
        var aside = $"{path}.damaged-{DateTime.UtcNow:yyyyMMddTHHmmss}";
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            if (File.Exists(path + suffix)) File.Move(path + suffix, aside + suffix, overwrite: true);
        return aside;
    }

    // A sound header over pages SQLite cannot read: quick_check walks every page once.
    private static bool Readable(string path)
    {
        try
        {
            using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check";
            return check.ExecuteScalar() as string == "ok";
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private void Migrate()
    {
        // Every command opens the database: the common case (schema current) must not take the
        // write lock, or every `ps` would queue behind every `run`.
        if (Convert.ToInt32(Scalar("PRAGMA user_version")) == SchemaVersion) return;
        using var tx = Begin();
        var version = Convert.ToInt32(Scalar("PRAGMA user_version", tx));
        if (version < 1)
        {
            Execute("""
                CREATE TABLE containers (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    image TEXT NOT NULL,
                    image_id TEXT NOT NULL,
                    created TEXT NOT NULL,
                    request TEXT NOT NULL,
                    status TEXT NOT NULL,
                    pid INTEGER NOT NULL DEFAULT 0,
                    monitor_pid INTEGER NOT NULL DEFAULT 0,
                    exit_code INTEGER NOT NULL DEFAULT 0,
                    oom_killed INTEGER NOT NULL DEFAULT 0,
                    started_at TEXT,
                    finished_at TEXT,
                    restart_count INTEGER NOT NULL DEFAULT 0,
                    stop_requested INTEGER NOT NULL DEFAULT 0,
                    error TEXT);
                CREATE TABLE volumes (
                    name TEXT PRIMARY KEY,
                    created TEXT NOT NULL,
                    labels TEXT NOT NULL DEFAULT '{}');
                """, tx);
        }
        if (version < 2)
        {
            // One row per address handed out: the primary key is what makes an address go to one
            // container only, whatever the allocator's caller does.
            Execute("""
                CREATE TABLE networks (
                    name TEXT PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    bridge TEXT NOT NULL UNIQUE,
                    subnet TEXT NOT NULL,
                    gateway TEXT NOT NULL,
                    internal INTEGER NOT NULL,
                    icc INTEGER NOT NULL,
                    mtu INTEGER,
                    created TEXT NOT NULL);
                CREATE TABLE ip_allocations (
                    network TEXT NOT NULL REFERENCES networks(name),
                    address TEXT NOT NULL,
                    container_id TEXT NOT NULL,
                    ports TEXT NOT NULL DEFAULT '',
                    PRIMARY KEY (network, address),
                    UNIQUE (network, container_id));
                """, tx);
        }
        if (version < 3) Execute("ALTER TABLE networks ADD COLUMN ip_range TEXT", tx);
        Execute($"PRAGMA user_version = {SchemaVersion}", tx);
        tx.Commit();
    }

    /// <summary>
    /// BEGIN IMMEDIATE: takes the write lock up front, so a read-then-write cannot be overtaken.
    /// Writers first queue on a blocking flock: SQLite's own wait is a busy handler that sleeps and
    /// retries, and with dozens of skiff processes writing at once (100 parallel `rm -f`) a waiter
    /// could keep missing the moments the lock was free until its 30 seconds ran out ("database is locked").
    /// </summary>
    public WriteTransaction Begin()
    {
        SafeFileHandle queue;
        try
        {
            queue = FileLock.Exclusive(_writeLockPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateUnwritableException($"the state directory {Root} cannot be written ({e.Message.TrimEnd('.')}): make it writable, or point SKIFF_ROOT elsewhere, and run the command again", e);
        }
        try
        {
            return new WriteTransaction(Writing(() => _connection.BeginTransaction(deferred: false)), queue, this);
        }
        catch
        {
            queue.Dispose();
            throw;
        }
    }

    public SqliteCommand Command(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public int Execute(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, tx, parameters);
        return Writing(command.ExecuteNonQuery);
    }

    /// <summary>A write, with SQLite's disk failures (read-only, full) said as what to do about them.</summary>
    internal T Writing<T>(Func<T> write)
    {
        try
        {
            return write();
        }
        catch (SqliteException e) when (StateUnwritableException.From(e, Root) is { } unwritable)
        {
            throw unwritable;
        }
    }

    public object? Scalar(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, tx, parameters);
        return command.ExecuteScalar();
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>A write transaction and its place at the head of the writers' queue, given up together.</summary>
public sealed class WriteTransaction(SqliteTransaction transaction, SafeFileHandle queue, StateDatabase db) : IDisposable
{
    public static implicit operator SqliteTransaction(WriteTransaction tx) => tx._transaction;

    private readonly SqliteTransaction _transaction = transaction;

    public void Commit() => db.Writing(() =>
    {
        _transaction.Commit();
        return 0;
    });

    public void Dispose()
    {
        _transaction.Dispose();
        queue.Dispose();
    }
}
