using Skiff.Engine.Build.Dockerfile;

namespace Skiff.UnitTests.Build;

public sealed class DockerfileParserTests
{
    private static IReadOnlyList<Instruction> Parse(string text) => DockerfileParser.Parse(text).Instructions;

    [Fact]
    public void Keywords_are_case_insensitive_and_comments_and_blank_lines_are_dropped()
    {
        var instructions = Parse("# a comment\n\nfrom busybox\n  # indented comment\nrun echo hi\n");

        Assert.Equal(["FROM", "RUN"], instructions.Select(i => i.Keyword));
        Assert.Equal("echo hi", instructions[1].Text);
        Assert.Equal(5, instructions[1].Line);
    }

    [Fact]
    public void A_continued_line_keeps_the_next_lines_leading_blanks_and_skips_comments_between()
    {
        var run = Parse("FROM x\nRUN echo a \\\n  b \\\n# not part of it\n  c\n")[1];

        Assert.Equal("echo a   b   c", run.Text);
    }

    [Fact]
    public void The_escape_directive_makes_the_backtick_continue_lines()
    {
        var document = DockerfileParser.Parse("# escape=`\nFROM x\nRUN dir c:\\ `\n  /w\n");

        Assert.Equal('`', document.EscapeToken);
        Assert.Equal("dir c:\\   /w", document.Instructions[1].Text);
    }

    [Fact]
    public void Directives_after_the_first_instruction_are_comments()
    {
        var document = DockerfileParser.Parse("# syntax=docker/dockerfile:1\nFROM x\n# escape=`\nRUN a \\\n b\n");

        Assert.Equal("docker/dockerfile:1", document.Syntax);
        Assert.Equal('\\', document.EscapeToken);
        Assert.Equal("a  b", document.Instructions[1].Text);
    }

    [Fact]
    public void A_json_array_is_the_exec_form_and_anything_else_the_shell_form()
    {
        var instructions = Parse("FROM x\nCMD [\"echo\", \"a b\"]\nCMD [not json\nENTRYPOINT echo hi\n");

        Assert.Equal(["echo", "a b"], instructions[1].ExecForm!);
        Assert.Null(instructions[2].ExecForm);
        Assert.Equal("[not json", instructions[2].Text);
        Assert.False(instructions[3].IsExecForm);
    }

    [Fact]
    public void Flags_come_first_and_the_rest_is_the_argument()
    {
        var copy = Parse("FROM --platform=linux/amd64 x AS b\nCOPY --from=b --chown=1:2 /a /b\n")[1];

        Assert.Equal("b", copy.Flag("from"));
        Assert.Equal("1:2", copy.Flag("chown"));
        Assert.Equal("/a /b", copy.Text);
    }

    [Fact]
    public void A_run_heredoc_takes_the_lines_up_to_its_terminator()
    {
        var instructions = Parse("FROM x\nRUN <<EOF\necho one\necho two\nEOF\nRUN <<-'END' sh\n\techo $HOME\n\tEND\nCMD x\n");

        Assert.Equal(new Heredoc("EOF", "echo one\necho two\n", Expand: true), instructions[1].Heredocs.Single());
        Assert.Equal(new Heredoc("END", "echo $HOME\n", Expand: false), instructions[2].Heredocs.Single());
        Assert.Equal("CMD", instructions[3].Keyword);
    }

    [Fact]
    public void An_unclosed_heredoc_is_refused_with_its_line()
    {
        var e = Assert.Throws<DockerfileException>(() => Parse("FROM x\nRUN <<EOF\necho\n"));

        Assert.Contains("line 2", e.Message);
        Assert.Contains("never closed", e.Message);
    }

    [Fact]
    public void An_unknown_instruction_is_named()
    {
        var e = Assert.Throws<DockerfileException>(() => Parse("FROM x\nRUNN echo\n"));

        Assert.Equal("Dockerfile line 2: unknown instruction: RUNN", e.Message);
    }

    [Fact]
    public void An_invalid_escape_directive_is_refused()
    {
        Assert.Throws<DockerfileException>(() => Parse("# escape=x\nFROM x\n"));
    }
}
