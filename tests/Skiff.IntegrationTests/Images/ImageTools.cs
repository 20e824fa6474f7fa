namespace Skiff.IntegrationTests.Images;

/// <summary>Images made by tools independent of Skiff, so a round trip cannot hide a shared mistake.</summary>
public static class ImageTools
{
    /// <summary>An OCI layout made by umoci holding a busybox root filesystem plus /greeting (and
    /// /payload, a copy of <paramref name="payloadFile"/>, when given), pushed by skopeo to
    /// <paramref name="destination"/> ("127.0.0.1:PORT/name:tag").</summary>
    public static void PushUmociImage(string destination, string greeting, string? payloadFile = null)
    {
        var dir = Path.Join(Path.GetTempPath(), $"skiff-umoci-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(dir);
            // umoci insert leaves the layer tar unterminated (Debian's 0.4.7), so files go in by unpack and repack.
            Must(Sandbox.Sh(
                $"set -e; cd {dir}; umoci init --layout oci; umoci new --image oci:v1; umoci unpack --image oci:v1 bundle >/dev/null; " +
                "mkdir -p bundle/rootfs/bin; cp /bin/busybox bundle/rootfs/bin/busybox; ln -s busybox bundle/rootfs/bin/sh; " +
                $"printf '%s\\n' '{greeting}' > bundle/rootfs/greeting; {(payloadFile is null ? "" : $"cp {payloadFile} bundle/rootfs/payload; ")}umoci repack --image oci:v1 bundle; " +
                "umoci config --image oci:v1 --config.cmd /bin/sh --config.env PATH=/bin"));
            Must(Sandbox.Run("skopeo", ["copy", "--dest-tls-verify=false", $"oci:{dir}/oci:v1", $"docker://{destination}"]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>An OCI layout whose one layer <c>umoci insert</c> wrote: busybox-static's /bin/busybox
    /// and symlinks to it, in a tar that stops right after the last member (no padding, no end
    /// blocks), as Debian's umoci 0.4.7 writes it; copied by skopeo to <paramref name="destination"/>
    /// as an OCI manifest ("oci") or Docker schema 2 ("v2s2").</summary>
    public static void PushUmociInsertedImage(string destination, string format)
    {
        var dir = Path.Join(Path.GetTempPath(), $"skiff-umoci-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Path.Join(dir, "stage"));
            Must(Sandbox.Sh(
                $"set -e; cd {dir}; cp /bin/busybox stage/busybox; for l in sh ls cat echo; do ln -s busybox stage/$l; done; " +
                "umoci init --layout oci; umoci new --image oci:v1; umoci insert --image oci:v1 stage /bin; " +
                "umoci config --image oci:v1 --config.cmd /bin/sh --config.env PATH=/bin"));
            Must(Sandbox.Run("skopeo", ["copy", "--format", format, "--dest-tls-verify=false", $"oci:{dir}/oci:v1", $"docker://{destination}"]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static RunResult Must(RunResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
