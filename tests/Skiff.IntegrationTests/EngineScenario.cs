using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>
/// A real container engine (containerd, dockerd) driving skiff-runc from a bash script, in a mount
/// namespace of the scenario's own: the script mounts a tmpfs on its work directory and over the
/// places the engine writes regardless of its flags, and nothing of it outlives the scenario.
/// </summary>
public static class EngineScenario
{
    public static readonly string SkiffRunc = Path.Join(Path.GetDirectoryName(Binary)!, "skiff-runc");

    /// <param name="script">given the work directory (a fresh tmpfs), the bash script to run with `set -e`.</param>
    public static RunResult Run(string engine, Func<string, string> script)
    {
        var work = Path.Join(StateRoot, engine + "-" + UniqueName());
        Directory.CreateDirectory(work);
        var body = $"""
            set -e
            mount -t tmpfs {engine}-test {work}
            mkdir -p {work}/rootfs/bin && cp /bin/busybox {work}/rootfs/bin/
            for a in $(/bin/busybox --list | grep -vx busybox); do ln -s busybox {work}/rootfs/bin/$a; done
            {script(work)}
            """;
        try
        {
            return Sandbox.Run("unshare", ["--mount", "--propagation", "private", "bash", "-c", body], timeout: TimeSpan.FromMinutes(4));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
