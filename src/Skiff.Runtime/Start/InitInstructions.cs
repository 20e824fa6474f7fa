using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Start;

/// <summary>What init is sent: the spec, and for a container created now and started later (runc's
/// create/start split) the fifo it blocks on until <c>start</c>, plus the state its in-container hooks read.</summary>
/// <param name="StartFifo">a host path init opens before pivoting and writes to, once opened by <c>start</c>, before it execs.</param>
/// <param name="HookState">the OCI state JSON for createContainer and startContainer hooks.</param>
internal sealed record InitInstructions(RuntimeSpec Spec, string? StartFifo = null, string? HookState = null)
{
    /// <summary>The spec's seccomp profile compiled (set when decoded; the encoder compiles it from the spec).</summary>
    public Seccomp.SeccompProgram? Seccomp { get; init; }

    /// <summary>
    /// A detached exec: init execs only once the runtime's process is gone (end of file on the sync
    /// pipe). The program is the runtime's child, and .NET reaps the children it started: had it
    /// exited first, its status would be gone before the caller (containerd's shim, conmon) could reap it.
    /// </summary>
    public bool ExecAfterRuntimeExits { get; init; }
}
