using Skiff.Engine.Logs;

namespace Skiff.UnitTests.Engine;

public sealed class JsonFileLogTests
{
    [Fact]
    public void Output_becomes_one_entry_per_line_whatever_the_chunks_and_a_partial_line_is_kept()
    {
        var path = Path.Join(Path.GetTempPath(), $"skiff-log-{Guid.NewGuid():N}.log");
        try
        {
            using (var log = new JsonFileLog(path, null, 1))
            {
                var lines = log.LinesOf("stdout");
                lines.Append("one\ntw"u8);
                lines.Append("o\nthree"u8);
                lines.Flush();
                log.LinesOf("stderr").Append(new byte[20_000]);
            }
            var entries = JsonFileLog.ReadAll(path, 1).ToList();
            Assert.Equal(["one\n", "two\n", "three"], entries.Take(3).Select(e => e.Text));
            // Docker cuts a line that never ends at 16 KiB.
            Assert.Equal("stderr", entries[3].Stream);
            Assert.Equal(16 * 1024, entries[3].Text.Length);
            Assert.Equal(4, entries.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_log_deleted_while_it_is_written_gets_the_later_lines_in_a_new_file()
    {
        var path = Path.Join(Path.GetTempPath(), $"skiff-log-{Guid.NewGuid():N}.log");
        try
        {
            using var log = new JsonFileLog(path, null, 1);
            log.Write("stdout", "before\n"u8);
            File.Delete(path);
            log.Write("stdout", "after\n"u8);

            Assert.Equal(["after\n"], JsonFileLog.ReadAll(path, 1).Select(e => e.Text));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
