using System.Text.Json;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Network;

/// <summary>One packet's comparison: what the kernel counted against what the trace predicted.</summary>
public sealed record Comparison(string Ruleset, ProbePacket Packet, Dictionary<string, long> Kernel, Dictionary<string, long> Predicted, string Verdict)
{
    public bool Agrees => KernelCounters.Describe(Kernel) == KernelCounters.Describe(Predicted);

    public override string ToString() =>
        $"{Ruleset} / {Packet} (trace verdict {Verdict})\n  kernel:    {KernelCounters.Describe(Kernel)}\n  predicted: {KernelCounters.Describe(Predicted)}";
}

/// <summary>
/// Loads a ruleset into the topology's host, asks `skiff network trace` (run inside that namespace,
/// one batch for all the packets) what each packet will do, then sends each packet for real and
/// reads which rule and policy counters moved.
/// </summary>
public sealed class DifferentialHarness(NetnsTopology topology)
{
    /// <summary>Packets sent a second time because the first count was disturbed.</summary>
    public int Retries { get; private set; }

    public List<Comparison> Compare(string name, string ruleset, IReadOnlyList<ProbePacket> packets)
    {
        var restore = Run("ip", ["netns", "exec", topology.Host, "iptables-restore"], ruleset);
        if (restore.ExitCode != 0) throw new InvalidOperationException($"{name}: iptables-restore refused the ruleset: {restore}\n{ruleset}");
        topology.Exec(topology.Host, "conntrack -F");
        var batch = Path.Join(StateRoot, $"trace-batch-{Guid.NewGuid():N}");
        File.WriteAllLines(batch, packets.Select(p => p.TraceFlags));
        var trace = Run("ip", ["netns", "exec", topology.Host, Binary, "network", "trace", "--json", "--batch", batch]);
        File.Delete(batch);
        if (trace.ExitCode != 0) throw new InvalidOperationException($"{name}: skiff network trace failed: {trace}");
        var predictions = trace.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(packets.Count, predictions.Count);

        var comparisons = new List<Comparison>();
        var before = Counters();
        for (var i = 0; i < packets.Count; i++)
        {
            var predicted = KernelCounters.FromTrace(predictions[i]);
            var verdict = predictions[i].GetProperty("original").GetProperty("outcome").GetProperty("verdict").GetString()!;
            packets[i].Send();
            // Veth and bridge hand packets on in softirq context: give them a moment, and more before calling it a disagreement.
            Thread.Sleep(2);
            var after = Counters();
            var kernel = KernelCounters.Difference(after, before);
            if (KernelCounters.Describe(kernel) != KernelCounters.Describe(predicted))
            {
                Thread.Sleep(150);
                after = Counters();
                kernel = KernelCounters.Difference(after, before);
            }
            if (KernelCounters.Describe(kernel) != KernelCounters.Describe(predicted))
            {
                // The host sends packets of its own now and then (IGMP reports after a link comes up): send the
                // same flow once more from a clean conntrack table before calling it a disagreement.
                Retries++;
                topology.Exec(topology.Host, "conntrack -F");
                Thread.Sleep(300);
                before = Counters();
                packets[i].Send();
                Thread.Sleep(150);
                after = Counters();
                kernel = KernelCounters.Difference(after, before);
            }
            comparisons.Add(new Comparison(name, packets[i], kernel, predicted, verdict));
            before = after;
        }
        return comparisons;
    }

    private Dictionary<string, long> Counters()
    {
        var save = topology.Exec(topology.Host, "iptables-save -c");
        if (save.ExitCode != 0) throw new InvalidOperationException($"iptables-save -c: {save}");
        return KernelCounters.FromIptablesSave(save.Stdout);
    }
}
