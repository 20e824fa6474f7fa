using System.Diagnostics;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Network;

/// <summary>
/// The notes' two hosts and a third, inside the sandbox: network namespaces on one LAN bridge
/// (172.16.91.110 master, .230 slave, .50 third), each with its own Skiff state root, and etcd
/// (Debian's etcd-server) in a namespace of its own at 172.16.91.2. Everything it started (etcd,
/// node agents, containers' monitors) is stopped by pid and every namespace deleted on Dispose.
/// </summary>
public sealed class ClusterTopology : IDisposable
{
    public const string EtcdAddress = "172.16.91.2", Master = "172.16.91.110", Slave = "172.16.91.230", Third = "172.16.91.50";
    public static string EtcdUrl => $"http://{EtcdAddress}:2379";

    private readonly string _prefix = $"skc{Environment.ProcessId % 10000}{Random.Shared.Next(100, 999)}";
    private readonly List<string> _namespaces = [];
    private readonly string _root = Path.Join(StateRoot, "cluster-" + Guid.NewGuid().ToString("N")[..8]);
    private Process? _etcd;

    public string Lan => _prefix + "l";
    public string EtcdNs => _prefix + "e";
    public string Host(string address) => _prefix + address.Split('.')[^1];

    public ClusterTopology(bool withEtcd)
    {
        try
        {
            Build(withEtcd);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Build(bool withEtcd)
    {
        Add(Lan);
        NetnsTopology.Must($"ip -n {Lan} link add lan0 type bridge && ip -n {Lan} link set lan0 up");
        foreach (var address in new[] { Master, Slave, Third })
        {
            var ns = Host(address);
            Add(ns);
            Plug(ns, address);
            // As on a fresh Debian host: forwarding off until Skiff turns it on, reverse-path filtering strict.
            NetnsTopology.Must($"ip netns exec {ns} sh -c 'echo 0 > /proc/sys/net/ipv4/ip_forward; echo 1 > /proc/sys/net/ipv4/conf/all/rp_filter; echo 1 > /proc/sys/net/ipv4/conf/default/rp_filter'");
            Directory.CreateDirectory(RootOf(address));
        }
        if (!withEtcd) return;
        Add(EtcdNs);
        Plug(EtcdNs, EtcdAddress);
        var data = Path.Join(_root, "etcd");
        Directory.CreateDirectory(data);
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", EtcdNs, "etcd", "--data-dir", data, "--listen-client-urls", EtcdUrl,
                     "--advertise-client-urls", EtcdUrl, "--listen-peer-urls", $"http://{EtcdAddress}:2380" })
            psi.ArgumentList.Add(a);
        _etcd = Process.Start(psi)!;
        _etcd.OutputDataReceived += (_, _) => { };
        _etcd.ErrorDataReceived += (_, _) => { };
        _etcd.BeginOutputReadLine();
        _etcd.BeginErrorReadLine();
        Eventually(() => Sh($"ip netns exec {EtcdNs} curl -sf {EtcdUrl}/health").ExitCode == 0, "etcd answers");
    }

    private void Add(string ns)
    {
        NetnsTopology.Must($"ip netns add {ns}");
        _namespaces.Add(ns);
        NetnsTopology.Must($"ip -n {ns} link set lo up");
    }

    private void Plug(string ns, string address)
    {
        var port = "p" + ns;
        NetnsTopology.Must($"ip -n {Lan} link add {port} type veth peer name eth0 netns {ns}");
        NetnsTopology.Must($"ip -n {Lan} link set {port} master lan0 && ip -n {Lan} link set {port} up");
        NetnsTopology.Must($"ip -n {ns} addr add {address}/24 dev eth0 && ip -n {ns} link set eth0 up");
    }

    public string RootOf(string address) => Path.Join(_root, address);

    /// <summary>
    /// skiff on one host: in its network namespace, with its own state root. nsenter, not ip netns
    /// exec, which mounts a /sys of its own that hides the cgroup hierarchies containers need.
    /// </summary>
    public RunResult Skiff(string address, params string[] args) =>
        Run("nsenter", [$"--net=/run/netns/{Host(address)}", "--", Binary, .. args], env: new Dictionary<string, string> { ["SKIFF_ROOT"] = RootOf(address) });

    public RunResult Must(string address, params string[] args)
    {
        var r = Skiff(address, args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)} on {address}: {r}");
        return r;
    }

    /// <summary>A command in a host's namespace (ip route, kill).</summary>
    public RunResult On(string address, string commandLine) => Sh($"ip netns exec {Host(address)} {commandLine}");

    /// <summary>The routes Skiff made on a host (its route protocol), as `ip route` prints them.</summary>
    public string[] SkiffRoutes(string address) =>
        On(address, "ip route show proto 73").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToArray();

    /// <summary>`skiff node agent` started by hand (as systemd would), back once it has synced; node leave stops it.</summary>
    public void StartAgent(string address)
    {
        var psi = new ProcessStartInfo("nsenter") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in new[] { $"--net=/run/netns/{Host(address)}", "--", Binary, "node", "agent" }) psi.ArgumentList.Add(a);
        psi.Environment["SKIFF_ROOT"] = RootOf(address);
        using var agent = Process.Start(psi)!;
        Assert.Equal("ready", agent.StandardOutput.ReadLine());
    }

    public int AgentPid(string address) => int.Parse(File.ReadAllText(Path.Join(RootOf(address), "node", "agent.pid")).Trim());

    /// <summary>A web server as the notes run nginx: busybox httpd, whose CGI answers with the client's address as it saw it.</summary>
    public string RunWeb(string address, string name, params string[] flags)
    {
        const string script = "mkdir -p /www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho $REMOTE_ADDR\\n' > /www/cgi-bin/ip "
            + "&& chmod +x /www/cgi-bin/ip && exec httpd -f -p 80 -h /www";
        Must(address, ["run", "-d", "--name", name, .. flags, "busybox", "sh", "-c", script]);
        return ContainerAddress(address, name);
    }

    public string ContainerAddress(string address, string name) =>
        System.Text.Json.JsonDocument.Parse(Must(address, "inspect", name).Stdout).RootElement[0]
            .GetProperty("NetworkSettings").GetProperty("IPAddress").GetString()!;

    /// <summary>What a container fetches over HTTP (busybox wget -T crashes, so timeout bounds it).</summary>
    public RunResult Fetch(string address, string container, string url) =>
        Skiff(address, "exec", container, "timeout", "10", "wget", "-qO-", url);

    public void Dispose()
    {
        foreach (var address in new[] { Master, Slave, Third })
        {
            if (!Directory.Exists(RootOf(address))) continue;
            var ids = Skiff(address, "ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (ids.Length > 0) Skiff(address, ["rm", "-f", .. ids]);
            Skiff(address, "node", "leave");
            var pidFile = Path.Join(RootOf(address), "node", "agent.pid");
            if (File.Exists(pidFile)) Sh($"kill -9 {File.ReadAllText(pidFile).Trim()}");
        }
        if (_etcd is not null)
        {
            // ip netns exec became etcd itself (exec), so its pid is etcd's.
            _etcd.Kill();
            _etcd.WaitForExit();
            _etcd.Dispose();
        }
        foreach (var ns in _namespaces) Sh($"ip netns delete {ns}");
        if (Directory.Exists(_root)) Sh($"rm -rf {_root}");
    }
}
