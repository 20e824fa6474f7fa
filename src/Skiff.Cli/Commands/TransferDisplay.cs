using Skiff.Images.Registry;

namespace Skiff.Cli.Commands;

/// <summary>Per-blob progress of a pull or push on stderr: redrawn in place (at most ten times a second)
/// when stderr is a terminal, one line per change of state otherwise, so logs stay readable.</summary>
internal sealed class TransferDisplay(string transferring, string complete) : IDisposable
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private readonly bool _live = !Console.IsErrorRedirected;
    private readonly List<string> _order = [];
    private readonly Dictionary<string, TransferProgress> _rows = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _drawnLines;
    private DateTime _lastDraw;

    public void Report(TransferProgress progress)
    {
        var id = progress.Blob.Hex[..12];
        lock (_lock)
        {
            var known = _rows.TryGetValue(id, out var previous);
            if (!known)
                _order.Add(id);
            _rows[id] = progress;
            if (!_live)
            {
                if (!known || previous!.Status != progress.Status)
                    Console.Error.WriteLine($"{id}: {Describe(progress)}");
                return;
            }
            var now = DateTime.UtcNow;
            if (progress.Status == TransferStatus.Transferring && now - _lastDraw < RedrawInterval)
                return;
            _lastDraw = now;
            Redraw();
        }
    }

    private void Redraw()
    {
        var output = Console.Error;
        if (_drawnLines > 0)
            output.Write($"\u001b[{_drawnLines}A");
        foreach (var id in _order)
            output.Write($"\u001b[2K{id}: {Describe(_rows[id], withBar: true)}\n");
        _drawnLines = _order.Count;
        output.Flush();
    }

    private string Describe(TransferProgress p, bool withBar = false) => p.Status switch
    {
        TransferStatus.Waiting => "Waiting",
        TransferStatus.AlreadyExists => "Already exists",
        TransferStatus.Mounted => $"Mounted from {p.MountedFrom}",
        TransferStatus.Transferring when withBar => $"{transferring} {Bar(p)} {HumanSizes.Decimal(p.Current)}/{HumanSizes.Decimal(p.Total)}",
        TransferStatus.Transferring => transferring,
        TransferStatus.Extracting => "Extracting",
        _ => complete,
    };

    private static string Bar(TransferProgress p)
    {
        const int width = 40;
        var filled = p.Total <= 0 ? width : (int)(width * Math.Clamp((double)p.Current / p.Total, 0, 1));
        return "[" + new string('=', filled) + (filled < width ? ">" + new string(' ', width - filled - 1) : "") + "]";
    }

    public void Dispose()
    {
        lock (_lock)
            if (_live && _order.Count > 0)
                Redraw();
    }
}
