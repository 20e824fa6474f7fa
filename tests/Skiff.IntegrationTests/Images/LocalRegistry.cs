using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Skiff.IntegrationTests.Images;

/// <summary>Debian's docker-registry, started on a free 127.0.0.1 port inside the test sandbox with
/// its own config and storage, optionally behind htpasswd auth; killed and removed on dispose.</summary>
public sealed class LocalRegistry : IDisposable
{
    private readonly Process _process;
    private readonly string _dir = Path.Join(Path.GetTempPath(), $"skiff-registry-{Guid.NewGuid():N}");

    public LocalRegistry(string? user = null, string? password = null)
    {
        Directory.CreateDirectory(Path.Join(_dir, "storage"));
        Port = FreePort();
        var auth = "";
        if (user is not null)
        {
            var htpasswd = Sandbox.Run("htpasswd", ["-Bbn", user, password!]);
            Assert.True(htpasswd.ExitCode == 0, htpasswd.ToString());
            File.WriteAllText(Path.Join(_dir, "htpasswd"), htpasswd.Stdout.Trim() + "\n");
            auth = $"auth:\n  htpasswd:\n    realm: skiff-test\n    path: {_dir}/htpasswd\n";
        }
        File.WriteAllText(Path.Join(_dir, "config.yml"),
            $"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {_dir}/storage\n  delete:\n    enabled: true\n" +
            $"http:\n  addr: 127.0.0.1:{Port}\n{auth}");
        _process = Process.Start(new ProcessStartInfo("/usr/bin/docker-registry", ["serve", Path.Join(_dir, "config.yml")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening();
    }

    public int Port { get; }

    /// <summary>"127.0.0.1:PORT", the domain part of image names.</summary>
    public string Host => $"127.0.0.1:{Port}";

    private void WaitUntilListening()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Assert.False(_process.HasExited, "docker-registry exited at start");
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"docker-registry did not listen on {Host}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
