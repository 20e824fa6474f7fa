using System.Globalization;
using Skiff.Linux;

namespace Skiff.Runtime.Start;

/// <summary>
/// The two inherited pipes between the runtime and a container's init: the runtime sends
/// <see cref="RuntimeMessage"/>s on the sync pipe, init sends <see cref="InitReport"/>s on the
/// status pipe, each framed by <see cref="ChannelFrame"/>. Each side waits for a message of one
/// type and fails with "unexpected message" on any other.
/// </summary>
internal static class InitChannel
{
    public const string EnvironmentVariable = "_SKIFF_INIT";

    /// <summary>The descriptor numbers init inherits, passed in <see cref="EnvironmentVariable"/>.</summary>
    /// <param name="PreservedFds">descriptors 3 to 3+N-1, inherited from the runtime's caller, that the program receives (runc's --preserve-fds).</param>
    public sealed record Handles(int Sync, int Status, int[]? Stdio, int PreservedFds = 0)
    {
        public string Encode() => string.Join(';',
            Sync.ToString(CultureInfo.InvariantCulture),
            Status.ToString(CultureInfo.InvariantCulture),
            Stdio is null ? "-" : string.Join(',', Stdio),
            PreservedFds.ToString(CultureInfo.InvariantCulture));

        public static Handles Decode(string value)
        {
            var parts = value.Split(';', 4);
            return new Handles(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture),
                parts[2] == "-" ? null : parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
                int.Parse(parts[3], CultureInfo.InvariantCulture));
        }
    }

    /// <summary>init's end: it reads the runtime's messages and reports its progress.</summary>
    public sealed class InitEnd(OwnedFd fromRuntime, OwnedFd toRuntime) : IDisposable
    {
        /// <summary>Blocks until the runtime sends the spec, which it does once init is in its cgroup.</summary>
        public byte[] WaitForSpec() => Expect<RuntimeMessage.Spec>("the spec").Instructions;

        public void WaitForConsoleTaken() => Expect<RuntimeMessage.ConsoleTaken>("the console to be taken");

        /// <summary>Blocks until the runtime's process is gone: its end of the sync pipe closes only then.</summary>
        public void WaitForRuntimeExit()
        {
            if (ChannelFrame.Read(fromRuntime) is { } frame)
                throw new InitChannelException($"unexpected message {RuntimeMessage.Decode(frame.Tag, frame.Payload).GetType().Name} while init waited for the runtime to exit");
        }

        public void Report(InitReport report)
        {
            var (tag, payload) = report.Encode();
            ChannelFrame.Write(toRuntime, tag, payload);
        }

        private T Expect<T>(string awaited) where T : RuntimeMessage
        {
            var frame = ChannelFrame.Read(fromRuntime)
                ?? throw new InitChannelException($"the runtime went away while init waited for {awaited}");
            var message = RuntimeMessage.Decode(frame.Tag, frame.Payload);
            return message as T ?? throw new InitChannelException($"unexpected message {message.GetType().Name} while init waited for {awaited}");
        }

        public void Dispose()
        {
            fromRuntime.Dispose();
            toRuntime.Dispose();
        }
    }

    /// <summary>The runtime's end: it sends the spec and follows init's reports.</summary>
    public sealed class RuntimeEnd(OwnedFd toInit, OwnedFd fromInit) : IDisposable
    {
        public void Send(RuntimeMessage message)
        {
            var (tag, payload) = message.Encode();
            ChannelFrame.Write(toInit, tag, payload);
        }

        /// <summary>The sync pipe is no longer closed by this end: it closes when this process exits.</summary>
        public void LeaveSyncOpenUntilExit() => toInit.Release();

        /// <summary>The next report; null once init closed its end (exec'd or died).</summary>
        public InitReport? NextReport() => ChannelFrame.Read(fromInit) is { } frame ? InitReport.Decode(frame.Tag, frame.Payload) : null;

        public void Dispose()
        {
            toInit.Dispose();
            fromInit.Dispose();
        }
    }
}
