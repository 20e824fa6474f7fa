using static Skiff.IntegrationTests.Network.ClusterTopology;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Network;

/// <summary>
/// The cross-node notes made to hold: web1 on the master and web2 on the slave reach each other by
/// their container addresses through routes the node agents keep from leases in a real etcd, and
/// see each other's own addresses; published ports still work across; nodes come and go.
/// </summary>
public sealed class ClusterTests
{
    [Fact]
    public void Containers_on_different_nodes_reach_each_other_directly_and_routes_follow_the_leases()
    {
        using var cluster = new ClusterTopology(withEtcd: true);
        cluster.Must(Master, "node", "init", "--etcd", EtcdUrl, "--cluster-cidr", "172.20.0.0/16");
        Assert.Contains("subnet 172.20.1.0/24 via 172.16.91.110", cluster.Must(Master, "node", "join", "--etcd", EtcdUrl, "--name", "master", "--lease-ttl", "3s").Stdout);
        Assert.Contains("subnet 172.20.2.0/24 via 172.16.91.230", cluster.Must(Slave, "node", "join", "--etcd", EtcdUrl, "--name", "slave", "--lease-ttl", "3s").Stdout);
        Eventually(() => cluster.SkiffRoutes(Master).Contains("172.20.2.0/24 via 172.16.91.230 dev eth0"), "the master routes the slave's subnet");
        Assert.Equal(["172.20.1.0/24 via 172.16.91.110 dev eth0"], cluster.SkiffRoutes(Slave));

        var web1 = cluster.RunWeb(Master, "web1", "-p", "8080:80");
        var web2 = cluster.RunWeb(Slave, "web2", "-p", "8080:80");
        Assert.Equal(("172.20.1.2", "172.20.2.2"), (web1, web2));

        // By container address, both ways, and each sees the other's own address (no NAT inside the cluster).
        Assert.Equal(web1, Eventually200(cluster, Master, "web1", $"http://{web2}/cgi-bin/ip"));
        Assert.Equal(web2, Eventually200(cluster, Slave, "web2", $"http://{web1}/cgi-bin/ip"));
        // Published ports across hosts, as the first half of the notes: leaving the cluster CIDR, web1 is masqueraded.
        Assert.Equal(Master, Eventually200(cluster, Master, "web1", $"http://{Slave}:8080/cgi-bin/ip"));
        var ping = cluster.Skiff(Master, "exec", "web1", "ping", "-c", "1", "-W", "5", web2);
        Assert.True(ping.ExitCode == 0, ping.ToString());

        // A third node: everyone's routes follow, and the list shows it.
        cluster.Must(Third, "node", "join", "--etcd", EtcdUrl, "--name", "third", "--lease-ttl", "3s");
        foreach (var peer in new[] { Master, Slave })
            Eventually(() => cluster.SkiffRoutes(peer).Contains("172.20.3.0/24 via 172.16.91.50 dev eth0"), $"{peer} routes the third node's subnet");
        Assert.Equal(2, cluster.SkiffRoutes(Third).Length);
        var ls = cluster.Must(Master, "node", "ls").Stdout;
        Assert.Contains("third", ls);
        Assert.Matches(@"slave\s+172\.16\.91\.230\s+172\.20\.2\.0/24\s+in \d+ s\s+yes", ls);

        // Its agent killed: its lease ends after the TTL and every peer's route to it goes.
        Assert.Equal(0, Sh($"kill -9 {cluster.AgentPid(Third)}").ExitCode);
        foreach (var peer in new[] { Master, Slave })
            Eventually(() => !cluster.SkiffRoutes(peer).Any(r => r.StartsWith("172.20.3.0/24")), $"{peer} drops the dead node's route");
        Assert.DoesNotContain("third", cluster.Must(Master, "node", "ls").Stdout);

        // The master's agent restarted finds a route lost meanwhile, and leaves alone a route it did not make.
        Assert.Equal(0, Sh($"kill -9 {cluster.AgentPid(Master)}").ExitCode);
        Assert.Equal(0, cluster.On(Master, "ip route del 172.20.2.0/24").ExitCode);
        Assert.Equal(0, cluster.On(Master, "ip route add 10.99.0.0/24 via 172.16.91.230").ExitCode);
        cluster.StartAgent(Master);
        Eventually(() => cluster.SkiffRoutes(Master).Contains("172.20.2.0/24 via 172.16.91.230 dev eth0"), "the restarted agent puts the route back");
        Assert.Contains("10.99.0.0/24 via 172.16.91.230", cluster.On(Master, "ip route").Stdout);
        Assert.Equal(web1, Eventually200(cluster, Master, "web1", $"http://{web2}/cgi-bin/ip"));
    }

    [Fact]
    public void Join_is_refused_while_containers_are_on_the_default_network_and_changes_nothing()
    {
        using var cluster = new ClusterTopology(withEtcd: true);
        cluster.Must(Master, "node", "init", "--etcd", EtcdUrl, "--cluster-cidr", "172.20.0.0/16");
        cluster.RunWeb(Master, "web1");
        var r = cluster.Skiff(Master, "node", "join", "--etcd", EtcdUrl, "--name", "master");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("the default bridge network has containers attached", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.Contains("in no cluster", cluster.Skiff(Master, "node", "ls").Stderr);
        // Its lease was given back.
        cluster.Must(Slave, "node", "join", "--etcd", EtcdUrl, "--name", "slave");
        Assert.Contains("slave", cluster.Must(Slave, "node", "ls").Stdout);
        Assert.DoesNotContain("master", cluster.Must(Slave, "node", "ls").Stdout);
    }

    [Fact]
    public void The_static_form_links_two_hosts_without_etcd()
    {
        using var cluster = new ClusterTopology(withEtcd: false);
        cluster.Must(Master, "node", "join", "--subnet", "172.20.1.0/24", "--peer", $"172.20.2.0/24={Slave}");
        cluster.Must(Slave, "node", "join", "--subnet", "172.20.2.0/24", "--peer", $"172.20.1.0/24={Master}");
        Assert.Equal(["172.20.2.0/24 via 172.16.91.230 dev eth0"], cluster.SkiffRoutes(Master));
        var web1 = cluster.RunWeb(Master, "web1");
        var web2 = cluster.RunWeb(Slave, "web2");
        Assert.Equal(web1, Eventually200(cluster, Master, "web1", $"http://{web2}/cgi-bin/ip"));
        Assert.Equal(web2, Eventually200(cluster, Slave, "web2", $"http://{web1}/cgi-bin/ip"));

        // Leaving takes Skiff's routes away, and with them the direct path.
        cluster.Must(Master, "node", "leave");
        Assert.Empty(cluster.SkiffRoutes(Master));
    }

    /// <summary>
    /// The client address the CGI printed, fetched by a request that must succeed (the server may
    /// still be starting on the first tries). httpd listens on IPv6 too, so it prints [::ffff:A.B.C.D].
    /// </summary>
    private static string Eventually200(ClusterTopology cluster, string host, string container, string url)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var r = cluster.Fetch(host, container, url);
            if (r.ExitCode == 0) return System.Net.IPAddress.Parse(r.Stdout.Trim().Trim('[', ']')).MapToIPv4().ToString();
            Assert.True(DateTime.UtcNow < deadline, $"{container} on {host} could not fetch {url}: {r}");
            Thread.Sleep(200);
        }
    }
}
