using Skiff.Engine.Build;
using Skiff.Engine.Build.Dockerfile;
using Skiff.Images;

namespace Skiff.UnitTests.Build;

public sealed class ConfigInstructionsTests
{
    private static readonly ShellWords Words = new();

    private static OciImageConfig Image(OciContainerConfig? config = null) => new()
    {
        Architecture = "amd64", Os = "linux", RootFs = new OciRootFs { DiffIds = [] }, Config = config ?? new OciContainerConfig(),
    };

    private static (OciImageConfig Image, string CreatedBy) Apply(string line, OciImageConfig? image = null, Dictionary<string, string>? env = null, bool cmdSet = false) =>
        ConfigInstructions.Apply(DockerfileParser.Parse("FROM x\n" + line).Instructions[1], image ?? Image(), env ?? [], Words, cmdSet);

    [Fact]
    public void Env_values_expand_against_the_variables_before_the_instruction()
    {
        var (image, createdBy) = Apply("ENV A=new B=$A C=\"${MISSING:-x y}\"", Image(new OciContainerConfig { Env = ["A=old"] }), new() { ["A"] = "old" });

        Assert.Equal(["A=new", "B=old", "C=x y"], image.Config!.Env!);
        Assert.Equal("ENV A=new B=old C=x y", createdBy);
    }

    [Fact]
    public void Shell_form_cmd_runs_in_the_stages_shell_and_exec_form_as_written()
    {
        Assert.Equal(["/bin/sh", "-c", "echo $HOME"], Apply("CMD echo $HOME").Image.Config!.Cmd!);
        Assert.Equal(["/bin/bash", "-c", "echo"], Apply("CMD echo", Image(new OciContainerConfig { Shell = ["/bin/bash", "-c"] })).Image.Config!.Cmd!);
        Assert.Equal(["echo", "hi"], Apply("CMD [\"echo\", \"hi\"]").Image.Config!.Cmd!);
    }

    [Fact]
    public void Entrypoint_clears_an_inherited_cmd_but_not_one_set_in_the_stage()
    {
        var inherited = Image(new OciContainerConfig { Cmd = ["sh"] });

        Assert.Null(Apply("ENTRYPOINT [\"top\"]", inherited).Image.Config!.Cmd);
        Assert.Equal(["sh"], Apply("ENTRYPOINT [\"top\"]", inherited, cmdSet: true).Image.Config!.Cmd!);
    }

    [Fact]
    public void Workdir_is_taken_from_the_current_one_and_expanded()
    {
        var image = Apply("WORKDIR sub/../src", Image(new OciContainerConfig { WorkingDir = "/app" })).Image;
        Assert.Equal("/app/src", image.Config!.WorkingDir);
        Assert.Equal("/srv/x", Apply("WORKDIR $D/x", env: new() { ["D"] = "/srv" }).Image.Config!.WorkingDir);
    }

    [Fact]
    public void Expose_defaults_to_tcp_and_expands_ranges()
    {
        var ports = Apply("EXPOSE 80 53/udp 8000-8001").Image.Config!.ExposedPorts!.Keys.Order().ToList();

        Assert.Equal(["53/udp", "80/tcp", "8000/tcp", "8001/tcp"], ports);
        Assert.Throws<DockerfileException>(() => Apply("EXPOSE 80/icmp"));
    }

    [Fact]
    public void Labels_user_volume_stopsignal_onbuild_are_recorded()
    {
        var image = Apply("LABEL a=1 \"b c\"=two", Image()).Image;
        image = Apply("USER app:staff", image).Image;
        image = Apply("VOLUME [\"/data\", \"/logs\"]", image).Image;
        image = Apply("STOPSIGNAL SIGQUIT", image).Image;
        image = Apply("ONBUILD RUN make", image).Image;
        var c = image.Config!;

        Assert.Equal("two", c.Labels!["b c"]);
        Assert.Equal("app:staff", c.User);
        Assert.Equal(["/data", "/logs"], c.Volumes!.Keys.Order());
        Assert.Equal("SIGQUIT", c.StopSignal);
        Assert.Equal(["RUN make"], c.OnBuild!);
    }

    [Fact]
    public void Healthcheck_options_become_nanoseconds()
    {
        var check = Apply("HEALTHCHECK --interval=1m30s --timeout=500ms --retries=3 CMD wget -q localhost").Image.Config!.Healthcheck!;

        Assert.Equal(["CMD-SHELL", "wget -q localhost"], check.Test);
        Assert.Equal(90_000_000_000L, check.Interval);
        Assert.Equal(500_000_000L, check.Timeout);
        Assert.Equal(3, check.Retries);
        Assert.Equal(["NONE"], Apply("HEALTHCHECK NONE").Image.Config!.Healthcheck!.Test);
        Assert.Throws<DockerfileException>(() => Apply("HEALTHCHECK --interval=soon CMD true"));
    }
}
