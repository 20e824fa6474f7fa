using Skiff.Linux;
using Skiff.Runtime.Process;
using static Skiff.Runtime.Process.ExecutableLookup;

namespace Skiff.UnitTests.Runtime;

public sealed class ExecutableLookupTests : IDisposable
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private const UnixFileMode Plain = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly ScratchDirectory _scratch = new();
    private readonly string _bin1, _bin2;

    public ExecutableLookupTests()
    {
        _bin1 = _scratch.Dir("bin1");
        _bin2 = _scratch.Dir("bin2");
        _scratch.File("bin1/notes", "text", Plain);
        _scratch.Dir("bin1/tool");
        _scratch.File("bin2/tool", "#!/bin/sh\n", Executable);
        _scratch.File("bin2/notes", "#!/bin/sh\n", Executable);
        _scratch.File("bin2/ownerexec", "#!/bin/sh\n", UnixFileMode.UserRead | UnixFileMode.UserExecute);
    }

    public void Dispose() => _scratch.Dispose();

    private string[] Env => ["HOME=/root", $"PATH={_bin1}:{_bin2}"];

    [Fact]
    public void Program_is_found_in_the_second_path_entry()
    {
        Assert.Equal(_bin2 + "/tool", Find("tool", Env));
    }

    [Fact]
    public void Non_executable_file_earlier_in_path_is_skipped()
    {
        Assert.Equal(_bin2 + "/notes", Find("notes", Env));
    }

    [Fact]
    public void One_execute_bit_is_enough()
    {
        Assert.Equal(_bin2 + "/ownerexec", Find("ownerexec", Env));
    }

    [Fact]
    public void Program_not_in_path_exits_127_with_dockers_message()
    {
        var e = Assert.Throws<LookupException>(() => Find("nosuchprog", Env));

        Assert.Equal(127, e.ExitCode);
        Assert.Equal("exec: \"nosuchprog\": executable file not found in $PATH", e.Message);
    }

    [Fact]
    public void Without_PATH_a_bare_name_is_not_found()
    {
        var e = Assert.Throws<LookupException>(() => Find("tool", ["HOME=/"]));

        Assert.Equal(NotFound, e.ExitCode);
        Assert.Contains("executable file not found in $PATH", e.Message);
    }

    [Fact]
    public void Path_to_a_directory_exits_126()
    {
        var e = Assert.Throws<LookupException>(() => Find(_bin1, Env));

        Assert.Equal(126, e.ExitCode);
        Assert.Equal($"exec: \"{_bin1}\": is a directory", e.Message);
    }

    [Fact]
    public void Path_to_a_non_executable_file_exits_126()
    {
        var e = Assert.Throws<LookupException>(() => Find(_bin1 + "/notes", Env));

        Assert.Equal(126, e.ExitCode);
        Assert.Equal($"exec: \"{_bin1}/notes\": permission denied", e.Message);
    }

    [Fact]
    public void Missing_absolute_path_exits_127()
    {
        var e = Assert.Throws<LookupException>(() => Find(_scratch["nope/prog"], Env));

        Assert.Equal(127, e.ExitCode);
        Assert.Equal($"exec: \"{_scratch["nope/prog"]}\": no such file or directory", e.Message);
    }

    [Fact]
    public void Absolute_path_to_an_executable_is_returned_without_a_path_search()
    {
        Assert.Equal(_bin2 + "/tool", Find(_bin2 + "/tool", ["PATH="]));
    }

    [Fact]
    public void Empty_command_exits_127()
    {
        var e = Assert.Throws<LookupException>(() => Find("", Env));

        Assert.Equal((127, "exec: no command given"), (e.ExitCode, e.Message));
    }

    [Theory]
    [InlineData(Errno.ENOENT, 127)]
    [InlineData(Errno.ENOTDIR, 127)]
    [InlineData(Errno.ELOOP, 127)]
    [InlineData(Errno.EACCES, 126)]
    [InlineData(Errno.EPERM, 126)]
    [InlineData(Errno.ENOEXEC, 126)]
    [InlineData(Errno.EISDIR, 126)]
    public void Failed_execve_errno_maps_to_dockers_exit_code(int errno, int exitCode)
    {
        Assert.Equal(exitCode, ExitCodeFor(errno));
    }
}
