using System.Runtime.InteropServices;

namespace Skiff.Engine.Containers;

/// <summary>
/// While it lives, the signals a user sends a foreground skiff (Ctrl-C, kill, a closed terminal)
/// are not ours to die of: they go to the container, as Docker's --sig-proxy does.
/// </summary>
public sealed class SignalProxy : IDisposable
{
    private static readonly PosixSignal[] Proxied = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];
    private readonly List<PosixSignalRegistration> _registrations;

    public SignalProxy(Action<int> send) =>
        _registrations = Proxied.Select(sig => PosixSignalRegistration.Create(sig, ctx =>
        {
            ctx.Cancel = true;
            send(Number(ctx.Signal));
        })).ToList();

    private static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };

    public void Dispose() => _registrations.ForEach(r => r.Dispose());
}
