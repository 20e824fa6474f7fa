namespace Skiff.Engine.State;

/// <summary>
/// The state database is gone or unreadable while containers or networks it should know about are
/// still there: going on would forget them (and hand their names, addresses and ports out again).
/// </summary>
public sealed class StateDamagedException(string message) : Skiff.Linux.SkiffException(message)
{
    public const string Fix = "run `skiff system repair` to rebuild the records from the container directories and running containers";

    public static StateDamagedException For(string path, StateFileCondition condition, int leftovers) => new(condition switch
    {
        StateFileCondition.Missing => $"the state database {path} is missing but {leftovers} containers or networks it recorded are still there: {Fix}",
        StateFileCondition.Empty => $"the state database {path} is empty but {leftovers} containers or networks it recorded are still there: {Fix}",
        StateFileCondition.Truncated => $"the state database {path} is cut short (truncated): {Fix}",
        _ => $"the state database {path} is not a SQLite database (overwritten or damaged): {Fix}",
    });

    public static StateDamagedException Unreadable(string path, string reason) =>
        new($"the state database {path} is damaged ({reason}): {Fix}");
}
