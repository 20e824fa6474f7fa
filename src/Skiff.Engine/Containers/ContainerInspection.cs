using System.Text.Json;
using Skiff.Engine.State;
using Skiff.Images;

namespace Skiff.Engine.Containers;

/// <summary>`inspect` in the shape of Docker's ContainerJSON, so tools that read Docker's output read ours.</summary>
public static class ContainerInspection
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    public static void Write(Utf8JsonWriter w, ContainerRecord c, ContainerEngine engine)
    {
        var r = c.Request;
        var image = TryResolve(engine, c.ImageId);
        var hostname = ContainerEngine.Hostname(r, c.Id);
        var args = image is null ? r.Command.ToList() : ContainerSpecBuilder.Arguments(r, image.Config);
        var bundle = engine.Paths.Container(c.Id);

        w.WriteStartObject();
        w.WriteString("Id", c.Id);
        w.WriteString("Created", ContainerStore.FormatTime(c.Created));
        w.WriteString("Path", args.FirstOrDefault() ?? "");
        WriteArray(w, "Args", args.Skip(1));
        w.WriteStartObject("State");
        w.WriteString("Status", ContainerSummary.State(c));
        w.WriteBoolean("Running", c.Status is ContainerStatus.Running or ContainerStatus.Paused or ContainerStatus.Restarting);
        w.WriteBoolean("Paused", c.Status == ContainerStatus.Paused);
        w.WriteBoolean("Restarting", c.Status == ContainerStatus.Restarting);
        w.WriteBoolean("OOMKilled", c.OomKilled);
        w.WriteBoolean("Dead", c.Status == ContainerStatus.Dead);
        w.WriteNumber("Pid", c.Pid);
        w.WriteNumber("ExitCode", c.ExitCode);
        w.WriteString("Error", c.Error ?? "");
        w.WriteString("StartedAt", c.StartedAt is { } s ? ContainerStore.FormatTime(s) : ZeroTime);
        w.WriteString("FinishedAt", c.FinishedAt is { } f ? ContainerStore.FormatTime(f) : ZeroTime);
        w.WriteEndObject();
        w.WriteString("Image", c.ImageId);
        w.WriteString("ResolvConfPath", Path.Join(bundle, "resolv.conf"));
        w.WriteString("HostnamePath", Path.Join(bundle, "hostname"));
        w.WriteString("HostsPath", Path.Join(bundle, "hosts"));
        w.WriteString("LogPath", engine.LogPath(c.Id));
        w.WriteString("Name", "/" + c.Name);
        w.WriteNumber("RestartCount", c.RestartCount);
        w.WriteString("Driver", "overlay2");
        w.WriteString("Platform", "linux");

        w.WriteStartObject("HostConfig");
        w.WriteString("NetworkMode", ContainerEngine.NetworkModeName(r));
        w.WriteStartObject("RestartPolicy");
        w.WriteString("Name", r.Restart.Mode == RestartMode.No ? "no" : r.Restart.ToString().Split(':')[0]);
        w.WriteNumber("MaximumRetryCount", r.Restart.MaxRetries);
        w.WriteEndObject();
        w.WriteBoolean("AutoRemove", r.AutoRemove);
        w.WriteStartObject("LogConfig");
        w.WriteString("Type", "json-file");
        w.WriteStartObject("Config");
        if (r.Log.MaxSizeBytes is { } size) w.WriteString("max-size", size.ToString());
        if (r.Log.MaxFiles > 1) w.WriteString("max-file", r.Log.MaxFiles.ToString());
        w.WriteEndObject();
        w.WriteEndObject();
        WriteArray(w, "CapAdd", r.CapAdd);
        WriteArray(w, "CapDrop", r.CapDrop);
        w.WriteBoolean("Privileged", r.Privileged);
        w.WriteBoolean("ReadonlyRootfs", r.ReadOnlyRootfs);
        w.WriteString("CgroupParent", r.CgroupParent ?? "");
        w.WriteNumber("Memory", r.Resources.MemoryBytes ?? 0);
        w.WriteNumber("MemorySwap", r.Resources.MemorySwapBytes ?? (r.Resources.MemoryBytes is { } m ? m * 2 : 0));
        w.WriteNumber("NanoCpus", (long)((r.Resources.Cpus ?? 0) * 1_000_000_000));
        w.WriteNumber("CpuShares", r.Resources.CpuShares ?? 0);
        w.WriteString("CpusetCpus", r.Resources.CpusetCpus ?? "");
        if (r.Resources.PidsLimit is { } pids) w.WriteNumber("PidsLimit", pids); else w.WriteNull("PidsLimit");
        WriteArray(w, "SecurityOpt", [.. r.NoNewPrivileges ? ["no-new-privileges"] : Array.Empty<string>(),
            .. r.SeccompProfile is { } seccomp ? [$"seccomp={seccomp}"] : Array.Empty<string>()]);
        PortsInspection.WriteRequested(w, r);
        w.WriteEndObject();

        w.WriteStartArray("Mounts");
        foreach (var mount in r.Mounts) WriteMount(w, mount);
        w.WriteEndArray();

        w.WriteStartObject("Config");
        w.WriteString("Hostname", hostname);
        w.WriteString("User", r.User ?? image?.Config.User ?? "");
        w.WriteBoolean("AttachStdin", r.Interactive);
        w.WriteBoolean("Tty", r.Tty);
        w.WriteBoolean("OpenStdin", r.Interactive);
        WriteArray(w, "Env", image is null ? r.Env : ContainerSpecBuilder.Environment(r, image.Config, hostname));
        WriteArray(w, "Cmd", r.Command.Count > 0 ? r.Command : r.Entrypoint is null ? image?.Config.Cmd ?? [] : []);
        w.WriteString("Image", c.Image);
        w.WriteString("WorkingDir", r.WorkingDir ?? image?.Config.WorkingDir ?? "");
        if ((r.Entrypoint ?? image?.Config.Entrypoint) is { } entrypoint) WriteArray(w, "Entrypoint", entrypoint); else w.WriteNull("Entrypoint");
        PortsInspection.WriteExposed(w, r);
        w.WriteEndObject();

        NetworkSettingsInspection.Write(w, c, engine);
        w.WriteEndObject();
    }

    /// <summary>One entry of Docker's Mounts: a volume names itself and its driver, a bind its propagation.</summary>
    private static void WriteMount(Utf8JsonWriter w, MountRequest m)
    {
        w.WriteStartObject();
        w.WriteString("Type", MountSyntax.Name(m.Type));
        if (m.Type == MountType.Volume) w.WriteString("Name", m.Source);
        w.WriteString("Source", m.HostPath ?? "");
        w.WriteString("Destination", m.Target);
        if (m.Type == MountType.Volume) w.WriteString("Driver", "local");
        w.WriteString("Mode", m.Mode);
        w.WriteBoolean("RW", !m.ReadOnly);
        w.WriteString("Propagation", m.Type == MountType.Bind ? m.Propagation ?? "rprivate" : "");
        w.WriteEndObject();
    }

    private static LocalImage? TryResolve(ContainerEngine engine, string imageId)
    {
        try { return new ImageStore(engine.Paths.Images).Resolve(imageId); }
        catch (ImageNotFoundException) { return null; }
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
