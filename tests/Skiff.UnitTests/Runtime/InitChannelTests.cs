using Skiff.Linux;
using Skiff.Runtime.Spec;
using Skiff.Runtime.Start;

namespace Skiff.UnitTests.Runtime;

public sealed class InitChannelTests
{
    [Fact]
    public void Handles_with_stdio_survive_the_round_trip()
    {
        var encoded = new InitChannel.Handles(7, 9, [10, 11, 12]).Encode();
        var decoded = InitChannel.Handles.Decode(encoded);

        Assert.Equal("7;9;10,11,12;0", encoded);
        Assert.Equal((7, 9), (decoded.Sync, decoded.Status));
        Assert.Equal([10, 11, 12], decoded.Stdio!);
    }

    [Fact]
    public void Handles_without_stdio_decode_to_null_stdio()
    {
        var encoded = new InitChannel.Handles(3, 4, null).Encode();
        Assert.Equal("3;4;-;0", encoded);
        Assert.Null(InitChannel.Handles.Decode(encoded).Stdio);
    }

    [Fact]
    public void The_count_of_preserved_descriptors_survives_the_round_trip()
    {
        Assert.Equal(2, InitChannel.Handles.Decode(new InitChannel.Handles(5, 6, null, PreservedFds: 2).Encode()).PreservedFds);
    }

    [Fact]
    public void A_detached_exec_keeps_its_wait_for_the_runtime_through_the_encoding()
    {
        var spec = new RuntimeSpec { Process = new ProcessSpec { Args = ["true"] }, Root = new RootSpec { Path = "/r" } };
        Assert.True(InitSpecCodec.Decode(InitSpecCodec.Encode(new InitInstructions(spec) { ExecAfterRuntimeExits = true })).ExecAfterRuntimeExits);
        Assert.False(InitSpecCodec.Decode(InitSpecCodec.Encode(spec)).ExecAfterRuntimeExits);
    }

    [Fact]
    public void Handles_with_an_empty_stdio_array_survive_the_round_trip()
    {
        Assert.Equal([], InitChannel.Handles.Decode(new InitChannel.Handles(3, 4, []).Encode()).Stdio!);
    }

    [Fact]
    public void The_spec_init_acts_on_survives_the_binary_encoding()
    {
        var spec = new RuntimeSpec
        {
            Process = new ProcessSpec
            {
                Terminal = true, Args = ["sh", "-c", "echo ü"], Env = ["PATH=/bin", "A="], Cwd = "/srv",
                User = new UserSpec { Uid = 1000, Gid = 100, AdditionalGids = [5, 6], Username = "app:staff" },
                Capabilities = new CapabilitiesSpec { Bounding = ["CAP_KILL"], Effective = ["CAP_KILL"], Permitted = ["CAP_KILL"], Inheritable = [], Ambient = ["CAP_KILL"] },
                NoNewPrivileges = true,
            },
            Root = new RootSpec { Path = "/var/lib/skiff/c/rootfs", Readonly = true },
            Hostname = "box",
            Mounts = [new MountSpec { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid"] }, new MountSpec { Destination = "/data", Type = "bind", Source = "/srv/data", Options = ["rbind", "ro"] }],
            Linux = new LinuxSpec
            {
                Namespaces = [new("pid"), new("network", "/proc/42/ns/net")],
                MaskedPaths = ["/proc/kcore"], ReadonlyPaths = ["/proc/sys"],
                Overlay = new OverlaySpec(["/l/1", "/l/2"], "/u", "/w"),
            },
        };

        var instructions = InitSpecCodec.Decode(InitSpecCodec.Encode(spec));
        var decoded = instructions.Spec;
        Assert.Null(instructions.Seccomp);

        Assert.Equal(spec.Process.Args, decoded.Process.Args);
        Assert.Equal(spec.Process.Env, decoded.Process.Env);
        Assert.Equal((true, "/srv", true), (decoded.Process.Terminal, decoded.Process.Cwd, decoded.Process.NoNewPrivileges));
        Assert.Equal((1000u, 100u, "app:staff"), (decoded.Process.User.Uid, decoded.Process.User.Gid, decoded.Process.User.Username));
        Assert.Equal([5u, 6u], decoded.Process.User.AdditionalGids!);
        Assert.Equal(["CAP_KILL"], decoded.Process.Capabilities!.Ambient);
        Assert.Equal(spec.Root, decoded.Root);
        Assert.Equal("box", decoded.Hostname);
        Assert.Equal(["/proc", "/data"], decoded.Mounts.Select(m => m.Destination));
        Assert.Equal(["rbind", "ro"], decoded.Mounts[1].Options!);
        Assert.Equal("/srv/data", decoded.Mounts[1].Source);
        Assert.Equal(spec.Linux.Namespaces, decoded.Linux.Namespaces);
        Assert.Equal(["/proc/kcore"], decoded.Linux.MaskedPaths!);
        Assert.Equal(["/l/1", "/l/2"], decoded.Linux.Overlay!.LowerDirs);
        Assert.Equal(("/u", "/w"), (decoded.Linux.Overlay.UpperDir, decoded.Linux.Overlay.WorkDir));
    }

    private static (InitChannel.RuntimeEnd Runtime, InitChannel.InitEnd Init) Channel()
    {
        var (toInitRead, toInitWrite) = FileDescriptors.Pipe();
        var (toRuntimeRead, toRuntimeWrite) = FileDescriptors.Pipe();
        return (new InitChannel.RuntimeEnd(toInitWrite, toRuntimeRead), new InitChannel.InitEnd(toInitRead, toRuntimeWrite));
    }

    [Fact]
    public void Every_report_init_sends_arrives_as_the_same_report_in_order()
    {
        var (runtime, init) = Channel();
        using (runtime)
        {
            InitReport[] sent = [new InitReport.ConsoleReady(17), new InitReport.Execing(), new InitReport.Created(), new InitReport.Failed(126, "exec: \"x\": permission denied; ü")];
            using (init)
                foreach (var report in sent) init.Report(report);

            var received = new List<InitReport>();
            while (runtime.NextReport() is { } report) received.Add(report);
            Assert.Equal(sent, received);
        }
    }

    [Fact]
    public void Init_receives_the_spec_bytes_and_the_console_taken_message()
    {
        var (runtime, init) = Channel();
        using (runtime)
        using (init)
        {
            byte[] instructions = [1, 2, 0, 255, (byte)'\n', 3];
            runtime.Send(new RuntimeMessage.Spec(instructions));
            runtime.Send(new RuntimeMessage.ConsoleTaken());

            Assert.Equal(instructions, init.WaitForSpec());
            init.WaitForConsoleTaken();
        }
    }

    [Fact]
    public void Init_waiting_for_its_spec_refuses_any_other_message()
    {
        var (runtime, init) = Channel();
        using (runtime)
        using (init)
        {
            runtime.Send(new RuntimeMessage.ConsoleTaken());

            var e = Assert.Throws<InitChannelException>(() => init.WaitForSpec());
            Assert.Contains("unexpected message ConsoleTaken while init waited for the spec", e.Message);
        }
    }

    [Fact]
    public void Init_whose_runtime_went_away_says_so_instead_of_reading_garbage()
    {
        var (runtime, init) = Channel();
        runtime.Dispose();
        using (init)
            Assert.Contains("the runtime went away", Assert.Throws<InitChannelException>(() => init.WaitForSpec()).Message);
    }

    /// <summary>Raw bytes on init's status pipe, as the runtime would find them.</summary>
    private static InitReport? Decode(params byte[] raw)
    {
        var (read, write) = FileDescriptors.Pipe();
        using (write) FileDescriptors.WriteAll(write.Value, raw);
        using var runtime = new InitChannel.RuntimeEnd(FileDescriptors.Pipe().Write, read);
        return runtime.NextReport();
    }

    [Fact]
    public void An_unknown_report_is_refused()
    {
        Assert.Contains("unknown report", Assert.Throws<InitChannelException>(() => Decode((byte)'Z', 0, 0, 0, 0)).Message);
    }

    [Fact]
    public void A_report_with_a_payload_of_the_wrong_size_is_refused()
    {
        Assert.Throws<InitChannelException>(() => Decode((byte)'C', 5, 0, 0, 0, 7, 0, 0, 0, 0));
        Assert.Throws<InitChannelException>(() => Decode((byte)'E', 1, 0, 0, 0, 7));
        Assert.Throws<InitChannelException>(() => Decode((byte)'F', 2, 0, 0, 0, 1, 0));
    }

    [Fact]
    public void A_report_cut_off_in_its_header_or_payload_is_refused()
    {
        Assert.Contains("middle of a message header", Assert.Throws<InitChannelException>(() => Decode((byte)'C', 4, 0)).Message);
        Assert.Contains("middle of a message", Assert.Throws<InitChannelException>(() => Decode((byte)'C', 4, 0, 0, 0, 7)).Message);
    }

    [Fact]
    public void A_length_no_message_can_have_is_refused_before_anything_is_allocated()
    {
        Assert.Contains("claims", Assert.Throws<InitChannelException>(() => Decode((byte)'S', 0xff, 0xff, 0xff, 0x7f)).Message);
    }

    [Fact]
    public void End_of_file_between_reports_is_the_end_of_the_reports()
    {
        Assert.Null(Decode());
    }
}
