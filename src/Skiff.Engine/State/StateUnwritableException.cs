using Microsoft.Data.Sqlite;

namespace Skiff.Engine.State;

/// <summary>The state directory refused a write: read-only, or its filesystem full. Nothing was changed.</summary>
public sealed class StateUnwritableException(string message, Exception inner) : Skiff.Linux.SkiffException(message, inner)
{
    private const int ReadOnly = 8, IoError = 10, Full = 13, CannotOpen = 14;
    private const int NoSpace = 28, ReadOnlyFilesystem = 30;

    /// <summary>
    /// Runs a command's writes under the state directory, with a full or read-only filesystem said
    /// as what to do about it (.NET's IOException carries the errno as its HResult).
    /// </summary>
    public static T Guard<T>(string root, Func<T> write)
    {
        try
        {
            return write();
        }
        catch (IOException e) when ((e.HResult is NoSpace or ReadOnlyFilesystem))
        {
            throw new StateUnwritableException(e.HResult == NoSpace
                ? $"no space left under the state directory {root}: free some space (skiff system df) and run the command again"
                : $"the state directory {root} cannot be written (it is read-only): make it writable, or point SKIFF_ROOT elsewhere, and run the command again", e);
        }
    }

    /// <summary>The sentence for SQLite's failures to write; null for the ones that are not about the disk.</summary>
    public static StateUnwritableException? From(SqliteException e, string root) => e.SqliteErrorCode switch
    {
        ReadOnly or CannotOpen => new($"the state directory {root} cannot be written (it is read-only): make it writable, or point SKIFF_ROOT elsewhere, and run the command again", e),
        Full or IoError => new($"the state directory {root} could not be written ({e.Message.Replace("SQLite Error", "SQLite error", StringComparison.Ordinal).TrimEnd('.')}): if its filesystem is full, free some space (skiff system df) and run the command again", e),
        _ => null,
    };
}
