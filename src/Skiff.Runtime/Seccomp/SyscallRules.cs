using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Seccomp;

/// <summary>A profile's syscall rules, checked once and grouped by syscall number for each ABI.</summary>
internal sealed class SyscallRules
{
    /// <summary>An action and the argument conditions that must all hold for it.</summary>
    public sealed record Rule(uint Action, IReadOnlyList<SyscallArgSpec> Conditions);

    private static readonly HashSet<string> Operators =
        ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"];

    private readonly List<(string Name, Rule Rule)> _rules = [];

    public static SyscallRules From(SeccompSpec spec)
    {
        var rules = new SyscallRules();
        var syscalls = spec.Syscalls ?? [];
        for (var i = 0; i < syscalls.Count; i++)
        {
            var s = syscalls[i];
            var where = $"syscalls[{i}] ({string.Join(", ", s.Names)})";
            if (s.Names.Count == 0) throw new SeccompProfileException($"seccomp profile: syscalls[{i}] names no syscall: give its \"names\"");
            var action = SeccompActions.Value(s.Action, s.ErrnoRet, where);
            var args = s.Args ?? [];
            foreach (var arg in args)
            {
                if (arg.Index > 5)
                    throw new SeccompProfileException($"seccomp profile: {where} compares argument {arg.Index}: a syscall has arguments 0 to 5");
                if (!Operators.Contains(arg.Op))
                    throw new SeccompProfileException($"seccomp profile: {where} has the unknown operator \"{arg.Op}\": use one of {string.Join(", ", Operators)}");
            }
            // As runc: conditions on one argument cannot all hold at once, so each becomes a rule of its own.
            var alternatives = args.GroupBy(a => a.Index).Any(g => g.Count() > 1)
                ? args.Select(a => new Rule(action, [a])).ToList()
                : [new Rule(action, args)];
            foreach (var name in s.Names)
                foreach (var rule in alternatives)
                    rules._rules.Add((name, rule));
        }
        return rules;
    }

    /// <summary>
    /// Each syscall the ABI has, with its rules in profile order up to the first without conditions
    /// (nothing after it can be reached). Names the ABI lacks are skipped: profiles list every
    /// architecture's syscalls, as Docker's does.
    /// </summary>
    public IEnumerable<(uint Number, IReadOnlyList<Rule> Rules)> ByNumber(SyscallTable table, SyscallAbi abi)
    {
        var byNumber = new Dictionary<uint, List<Rule>>();
        foreach (var (name, rule) in _rules)
        {
            if (table.Number(name, abi) is not { } number) continue;
            if (!byNumber.TryGetValue(number, out var list)) byNumber[number] = list = [];
            if (list.Count == 0 || list[^1].Conditions.Count > 0) list.Add(rule);
        }
        return byNumber.Select(kv => (kv.Key, (IReadOnlyList<Rule>)kv.Value));
    }
}
