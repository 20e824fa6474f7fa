using System.Diagnostics;

namespace Skiff.Engine.Build;

/// <summary>
/// Docker's plain progress output (BuildKit's <c>--progress=plain</c>): each step a numbered
/// vertex, <c>#N [stage k/n] INSTRUCTION</c>, its output lines with the seconds since it began,
/// then <c>#N CACHED</c>, <c>#N DONE 0.3s</c> or <c>#N ERROR: …</c>, and a blank line.
/// </summary>
public sealed class BuildProgress(TextWriter output)
{
    private readonly Lock _lock = new();
    private int _next;

    public static readonly BuildProgress Quiet = new(TextWriter.Null);

    public Vertex Begin(string title)
    {
        lock (_lock)
        {
            var vertex = new Vertex(this, ++_next);
            Write($"#{vertex.Number} {title}");
            return vertex;
        }
    }

    private void Write(string line)
    {
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    public sealed class Vertex(BuildProgress progress, int number)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public int Number { get; } = number;

        public void Output(string line) => progress.Write($"#{Number} {_clock.Elapsed.TotalSeconds:0.000} {line}");

        public void Note(string text) => progress.Write($"#{Number} {text}");

        public void Cached() => progress.Write($"#{Number} CACHED\n");

        public void Done() => progress.Write($"#{Number} DONE {_clock.Elapsed.TotalSeconds:0.0}s\n");

        public void Error(string message) => progress.Write($"#{Number} ERROR: {message}\n");
    }
}
