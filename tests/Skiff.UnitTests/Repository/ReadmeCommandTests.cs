namespace Skiff.UnitTests.Repository;

/// <summary>
/// The README's commands are the first thing a new user types, as root on a fresh Debian 12 machine
/// (which has no sudo): every one must start with a program of this repository.
/// </summary>
public sealed class ReadmeCommandTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Join(dir.FullName, "README.md")) && File.Exists(Path.Join(dir.FullName, "skiff"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository root (README.md beside ./skiff) is not above the test binaries");
    }

    /// <summary>The lines of the README's sh code blocks.</summary>
    private static IEnumerable<string> ShellLines()
    {
        var inBlock = false;
        foreach (var line in File.ReadLines(Path.Join(Root, "README.md")))
        {
            if (line.StartsWith("```", StringComparison.Ordinal)) { inBlock = line == "```sh"; continue; }
            if (inBlock && line.Trim().Length > 0) yield return line.Trim();
        }
    }

    [Fact]
    public void Every_readme_command_runs_a_program_of_the_repository_without_sudo()
    {
        var lines = ShellLines().ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var program = line.Split(' ', 2)[0];
            Assert.True(File.Exists(Path.Join(Root, program)), $"README command \"{line}\" starts with \"{program}\", which is not a file of the repository");
        }
    }
}
