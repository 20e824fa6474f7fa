using System.Diagnostics;
using System.Text;

namespace Skiff.IntegrationTests;

/// <summary>
/// A process the test talks to while it runs: its output read as it comes, keys typed into its
/// input. <see cref="InTerminal"/> runs skiff in a real pty (util-linux's script), as a terminal
/// emulator would.
/// </summary>
public sealed class LiveProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new(), _stderr = new();
    private readonly Task _readers;

    private LiveProcess(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _readers = Task.WhenAll(Task.Run(() => Copy(_process.StandardOutput, _stdout)), Task.Run(() => Copy(_process.StandardError, _stderr)));
    }

    public static LiveProcess Skiff(params string[] args) => new(Sandbox.Binary, args);

    public static LiveProcess InTerminal(string skiffArgs, int columns = 101, int rows = 33) =>
        new("/usr/bin/script", ["-qec", $"stty cols {columns} rows {rows}; {Sandbox.Binary} {skiffArgs}", "/dev/null"]);

    private static void Copy(StreamReader from, StringBuilder to)
    {
        var buffer = new char[256];
        int n;
        while ((n = from.Read(buffer, 0, buffer.Length)) > 0) lock (to) to.Append(buffer, 0, n);
    }

    public int Pid => _process.Id;
    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>The pty that script gave its child (skiff's terminal), to resize it from outside as a terminal emulator would.</summary>
    public string TerminalDevice()
    {
        var child = File.ReadAllText($"/proc/{Pid}/task/{Pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var tty = new FileInfo($"/proc/{child}/fd/0").LinkTarget!;
        Assert.StartsWith("/dev/pts/", tty);
        return tty;
    }

    public void WaitForOutput(string text, string what) => Sandbox.Eventually(() => Stdout.Contains(text), what);

    public void Type(string keys)
    {
        _process.StandardInput.Write(keys);
        _process.StandardInput.Flush();
    }

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>The exit code, once the process and its output are done.</summary>
    public int WaitForExit()
    {
        if (!_process.WaitForExit(TimeSpan.FromSeconds(60))) throw new TimeoutException($"{_process.StartInfo.FileName} did not exit; it printed:\n{Stdout}\n{Stderr}");
        _readers.Wait(TimeSpan.FromSeconds(10));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
