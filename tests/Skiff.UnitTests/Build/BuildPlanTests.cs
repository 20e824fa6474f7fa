using Skiff.Engine.Build;
using Skiff.Engine.Build.Dockerfile;

namespace Skiff.UnitTests.Build;

public sealed class BuildPlanTests
{
    private static readonly ShellWords Words = new();

    private static BuildPlan Plan(string text) => BuildPlan.From(DockerfileParser.Parse(text), Words);

    private const string ThreeStages = """
        ARG BASE=busybox
        FROM $BASE AS tools
        RUN echo tools
        FROM busybox AS unused
        RUN echo never
        FROM tools AS app
        COPY --from=0 /a /a
        """;

    [Fact]
    public void Only_the_stages_the_target_needs_are_built_dependencies_first()
    {
        var plan = Plan(ThreeStages);
        var needed = plan.Needed(plan.Target(null), s => Words.Word(s, new Dictionary<string, string> { ["BASE"] = "busybox" }));

        Assert.Equal(["tools", "app"], needed.Select(s => s.Name));
        Assert.Single(plan.MetaArgs);
    }

    [Fact]
    public void A_target_builds_up_to_that_stage()
    {
        var plan = Plan(ThreeStages);

        Assert.Equal(["unused"], plan.Needed(plan.Target("unused"), s => s).Select(s => s.Name));
        var e = Assert.Throws<BuildException>(() => plan.Target("nope"));
        Assert.Contains("\"nope\" could not be found", e.Message);
    }

    [Fact]
    public void Steps_count_from_and_the_layer_instructions_only()
    {
        Assert.Equal(2, Plan(ThreeStages).Stages[0].StepCount);
        Assert.Equal(4, Plan("FROM x\nENV A=1\nWORKDIR /a\nCOPY a b\nRUN x\nCMD y\n").Stages[0].StepCount);
    }

    [Fact]
    public void Instructions_before_from_and_duplicate_stage_names_are_refused()
    {
        Assert.Contains("before any FROM", Assert.Throws<DockerfileException>(() => Plan("RUN x\nFROM y\n")).Message);
        Assert.Contains("used twice", Assert.Throws<DockerfileException>(() => Plan("FROM a AS x\nFROM b AS X\n")).Message);
        Assert.Contains("no FROM", Assert.Throws<DockerfileException>(() => Plan("ARG A=1\n")).Message);
    }

    [Fact]
    public void Copy_from_a_later_stage_is_refused()
    {
        var plan = Plan("FROM a AS one\nCOPY --from=two /x /x\nFROM b AS two\n");

        Assert.Throws<BuildException>(() => plan.Needed(plan.Target("one"), s => s));
    }
}
