using Skiff.Linux;

namespace Skiff.Runtime.Process;

/// <summary>The user a container's process runs as, resolved against the container's own /etc/passwd and /etc/group.</summary>
public sealed record ContainerUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string Home)
{
    /// <summary>
    /// Resolves Docker's <c>-u</c> forms: <c>name</c>, <c>uid</c>, <c>name:group</c>, <c>uid:gid</c>.
    /// A numeric uid need not exist in passwd (Docker allows it); a name must.
    /// </summary>
    public static ContainerUser Resolve(string spec, string passwdText, string groupText)
    {
        var parts = spec.Split(':', 2);
        var userPart = parts[0];
        var passwd = ParseColonFile(passwdText);
        var groups = ParseColonFile(groupText);

        string[]? entry = passwd.FirstOrDefault(e => e.Length >= 7 && (e[0] == userPart || (uint.TryParse(userPart, out var u) && e[2] == u.ToString())));
        uint uid;
        if (uint.TryParse(userPart, out var numericUid)) uid = numericUid;
        else if (entry is not null) uid = uint.Parse(entry[2]);
        else throw new InvalidInputException($"unable to find user {userPart}: no matching entries in passwd file");

        uint gid = entry is not null ? uint.Parse(entry[3]) : 0;
        if (parts.Length == 2)
        {
            var groupPart = parts[1];
            if (uint.TryParse(groupPart, out var numericGid)) gid = numericGid;
            else
            {
                var g = groups.FirstOrDefault(e => e.Length >= 3 && e[0] == groupPart)
                    ?? throw new InvalidInputException($"unable to find group {groupPart}: no matching entries in group file");
                gid = uint.Parse(g[2]);
            }
        }

        var name = entry?[0];
        var additional = name is null ? [] : groups
            .Where(e => e.Length >= 4 && e[3].Split(',').Contains(name))
            .Select(e => uint.Parse(e[2]))
            .Where(g => g != gid)
            .Distinct()
            .ToList();
        var home = entry?[5] is { Length: > 0 } h ? h : "/";
        return new ContainerUser(uid, gid, additional, home);
    }

    private static List<string[]> ParseColonFile(string text) =>
        text.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(':'))
            .Where(e => e.Length >= 3 && uint.TryParse(e[2], out _))
            .ToList();
}
