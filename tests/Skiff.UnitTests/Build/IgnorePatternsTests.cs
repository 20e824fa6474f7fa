using Skiff.Engine.Build.Context;

namespace Skiff.UnitTests.Build;

/// <summary>Cases from moby/patternmatcher's own tests and Docker's .dockerignore documentation.</summary>
public sealed class IgnorePatternsTests
{
    [Theory]
    [InlineData("*.md", "README.md", true)]
    [InlineData("*.md", "docs/README.md", false)]
    [InlineData("*/*.md", "docs/README.md", true)]
    [InlineData("**/*.md", "docs/a/README.md", true)]
    [InlineData("**/*.md", "README.md", true)]
    [InlineData("temp?", "temp1", true)]
    [InlineData("temp?", "temp12", false)]
    [InlineData("/secret", "secret", true)]
    [InlineData("build/", "build/out/a.o", true)]
    [InlineData("./logs", "logs/x.log", true)]
    [InlineData("a/../b", "b", true)]
    [InlineData("[a-c]x", "bx", true)]
    [InlineData("[!a]x", "ax", false)]
    [InlineData("file\\*", "file*", true)]
    [InlineData("file\\*", "filex", false)]
    [InlineData("dir/**", "dir/a/b", true)]
    public void Patterns_match_files_or_their_parent_directories(string pattern, string path, bool excluded)
    {
        Assert.Equal(excluded, IgnorePatterns.Parse(pattern).Excludes(path));
    }

    [Fact]
    public void The_last_matching_line_wins_and_bang_reincludes()
    {
        var ignore = IgnorePatterns.Parse("# comment\n*.md\n!README*.md\nREADME-secret.md\n");

        Assert.True(ignore.Excludes("CHANGES.md"));
        Assert.False(ignore.Excludes("README.md"));
        Assert.True(ignore.Excludes("README-secret.md"));
        Assert.True(ignore.HasExclusions);
    }

    [Fact]
    public void Blank_lines_and_comments_exclude_nothing()
    {
        var ignore = IgnorePatterns.Parse("\n   \n# *\n");

        Assert.False(ignore.Excludes("anything"));
    }

    [Theory]
    [InlineData("/a/./b//c/", "/a/b/c")]
    [InlineData("a/../../b", "../b")]
    [InlineData("/../x", "/x")]
    [InlineData("", ".")]
    public void Paths_are_cleaned_like_Gos_filepath_Clean(string path, string expected)
    {
        Assert.Equal(expected, IgnorePatterns.CleanPath(path));
    }

    [Fact]
    public void An_unclosed_character_class_is_refused()
    {
        Assert.Throws<ArgumentException>(() => IgnorePatterns.Parse("[abc"));
    }
}
