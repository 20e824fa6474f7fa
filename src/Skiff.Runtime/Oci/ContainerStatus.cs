namespace Skiff.Runtime.Oci;

/// <summary>The runtime spec's lifecycle states, spelled as in its state JSON.</summary>
public enum OciStatus { Creating, Created, Running, Paused, Stopped }

public static class OciStatusNames
{
    public static string Name(this OciStatus status) => status switch
    {
        OciStatus.Creating => "creating",
        OciStatus.Created => "created",
        OciStatus.Running => "running",
        OciStatus.Paused => "paused",
        _ => "stopped",
    };
}
