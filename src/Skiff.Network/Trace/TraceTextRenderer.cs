using System.Text;

namespace Skiff.Network.Trace;

/// <summary>
/// The walk as a person reads it, in the order of the notes: each hook, each rule with "match" or
/// "no", the reason, and the deciding rule marked with "=>".
/// </summary>
public static class TraceTextRenderer
{
    public static string Render(TraceResult result)
    {
        var text = new StringBuilder();
        text.AppendLine($"rules: iptables ({result.Backend})");
        foreach (var warning in result.Warnings) text.AppendLine($"warning: {warning}");
        RenderPath(text, result.Original);
        if (result.Reply is { } reply) RenderPath(text.AppendLine(), reply);
        else if (result.Original.Outcome.Verdict is "sent" or "accepted-locally") text.AppendLine().AppendLine("reply: none expected for this packet");
        return text.ToString();
    }

    private static void RenderPath(StringBuilder text, PacketPath path)
    {
        text.AppendLine($"{path.Direction}: {path.Packet}");
        foreach (var e in path.Events)
        {
            var indent = new string(' ', 4 + 2 * e.Depth);
            switch (e.Kind)
            {
                case "hook":
                    text.AppendLine($"  {e.Text}");
                    break;
                case "rule":
                    var mark = e.Deciding ? "=>" : e.Matched switch { true => " +", false => " -", null => " ?" };
                    var state = e.Matched switch { true => "match", false => "no", null => "unknown" };
                    text.AppendLine($"{indent[..^2]}{mark} [{e.Table} {e.Chain} #{e.Rule}] {e.RuleText}");
                    text.AppendLine($"{indent}     {state}: {e.Reason}");
                    break;
                case "policy":
                    text.AppendLine($"{indent[..^2]}=> [{e.Table} {e.Chain}] policy {e.Target}");
                    break;
                default:
                    text.AppendLine($"{indent}{(e.Kind == "stop" ? "!! " : "")}{e.Text}");
                    break;
            }
        }
        var outcome = path.Outcome;
        text.AppendLine($"  verdict: {outcome.Verdict.ToUpperInvariant()}: {outcome.Summary}");
        if (outcome.DecidedBy is { } by) text.AppendLine($"  decided by: {by}");
    }
}
