using Skiff.Network.Netfilter;

namespace Skiff.Network.Trace;

public enum TableVerdict { Accept, Drop, Reject, Unknown }

/// <summary>
/// Walks one table's chain for one hook, rule by rule, the way ipt_do_table does: jumps push a
/// return point, gotos do not, RETURN or the end of a user chain pops, and the end of (or a RETURN
/// from) the built-in chain applies its policy. Every rule it looks at becomes an event.
/// </summary>
public sealed class ChainWalker(HostNetwork network, MatchEvaluator matcher, List<TraceEvent> events)
{
    private const int StepLimit = 100_000;

    /// <summary>The REJECT rule that ended the last table walked, if one did: its answer is a packet of its own.</summary>
    public RejectTarget? Rejected { get; private set; }

    public TableVerdict Run(Table table, string hook, Packet packet)
    {
        var builtin = table.Chain(hook);
        if (builtin is null) return TableVerdict.Accept;
        var returnPoints = new Stack<(Chain Chain, int Next)>();
        var chain = builtin;
        var index = 0;
        for (var steps = 0; steps < StepLimit; steps++)
        {
            if (index >= chain.Rules.Count)
            {
                if (returnPoints.Count == 0) return Policy(table, builtin, hook);
                (chain, index) = returnPoints.Pop();
                Note(table, hook, chain, returnPoints.Count, $"end of chain: back to {chain.Name} rule {index + 1}");
                continue;
            }
            var rule = chain.Rules[index];
            var outcome = matcher.Evaluate(rule, packet);
            var ruleEvent = new TraceEvent("rule", rule.Text)
            {
                Hook = hook, Table = table.Name, Chain = chain.Name, Rule = rule.Number, RuleText = rule.Text,
                Matched = outcome.Result switch { MatchResult.Matched => true, MatchResult.NotMatched => false, _ => null },
                Reason = outcome.Reason, Target = rule.Target.Name, Depth = returnPoints.Count,
            };
            if (outcome.Result == MatchResult.Unknown)
            {
                events.Add(ruleEvent);
                Stop(table, hook, chain, $"cannot tell whether {table.Name} {chain.Name} rule {rule.Number} matches: {outcome.Reason}");
                return TableVerdict.Unknown;
            }
            if (outcome.Result == MatchResult.NotMatched)
            {
                events.Add(ruleEvent);
                index++;
                continue;
            }
            switch (rule.Target)
            {
                case AcceptTarget:
                    events.Add(ruleEvent with { Deciding = true });
                    return TableVerdict.Accept;
                case DropTarget:
                    events.Add(ruleEvent with { Deciding = true });
                    return TableVerdict.Drop;
                case RejectTarget reject:
                    events.Add(ruleEvent with { Deciding = true });
                    Rejected = reject;
                    return TableVerdict.Reject;
                case ReturnTarget:
                    events.Add(ruleEvent);
                    if (returnPoints.Count == 0) return Policy(table, builtin, hook);
                    (chain, index) = returnPoints.Pop();
                    continue;
                case JumpTarget jump:
                    events.Add(ruleEvent);
                    returnPoints.Push((chain, index + 1));
                    (chain, index) = (Resolve(table, jump.Chain), 0);
                    continue;
                case GotoTarget jump:
                    events.Add(ruleEvent);
                    (chain, index) = (Resolve(table, jump.Chain), 0);
                    continue;
                case DnatTarget or SnatTarget or MasqueradeTarget or RedirectTarget:
                    events.Add(ruleEvent with { Deciding = true });
                    if (table.Name != "nat")
                    {
                        Stop(table, hook, chain, $"{rule.Target.Name} outside the nat table is not valid");
                        return TableVerdict.Unknown;
                    }
                    var rewrite = new NatRewriter(network).Apply(rule.Target, hook, packet);
                    events.Add(new TraceEvent("nat", rewrite) { Hook = hook, Table = table.Name, Chain = chain.Name, Depth = returnPoints.Count });
                    return TableVerdict.Accept;
                case MarkTarget mark:
                    events.Add(ruleEvent);
                    packet.Mark = (packet.Mark & ~mark.Mask) ^ mark.Value;
                    Note(table, hook, chain, returnPoints.Count, $"mark set to 0x{packet.Mark:x}");
                    index++;
                    continue;
                case LogTarget or NoTarget:
                    events.Add(ruleEvent);
                    index++;
                    continue;
                default:
                    events.Add(ruleEvent);
                    Stop(table, hook, chain, $"cannot simulate target {rule.Target.Name} ({rule.Text}): the verdict past this point is unknown");
                    return TableVerdict.Unknown;
            }
        }
        Stop(table, hook, builtin, $"gave up after {StepLimit} steps (a loop?)");
        return TableVerdict.Unknown;
    }

    private static Chain Resolve(Table table, string name) =>
        table.Chain(name) ?? throw new FormatException($"table {table.Name} jumps to chain {name}, which it does not have");

    private TableVerdict Policy(Table table, Chain builtin, string hook)
    {
        var policy = builtin.Policy ?? ChainPolicy.Accept;
        events.Add(new TraceEvent("policy", $"{table.Name} {hook} policy {policy.ToString().ToUpperInvariant()}")
        {
            Hook = hook, Table = table.Name, Chain = builtin.Name, Target = policy.ToString().ToUpperInvariant(), Deciding = true,
        });
        return policy == ChainPolicy.Accept ? TableVerdict.Accept : TableVerdict.Drop;
    }

    private void Note(Table table, string hook, Chain chain, int depth, string text) =>
        events.Add(new TraceEvent("note", text) { Hook = hook, Table = table.Name, Chain = chain.Name, Depth = depth });

    private void Stop(Table table, string hook, Chain chain, string text) =>
        events.Add(new TraceEvent("stop", text) { Hook = hook, Table = table.Name, Chain = chain.Name });
}
