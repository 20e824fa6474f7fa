using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Linux;

namespace Skiff.UnitTests.Engine;

public sealed class SecurityOptionsTests
{
    [Theory]
    [InlineData("no-new-privileges", true)]
    [InlineData("no-new-privileges:true", true)]
    [InlineData("no-new-privileges=true", true)]
    [InlineData("no-new-privileges=false", false)]
    public void No_new_privileges_takes_docker_spellings(string option, bool expected) =>
        Assert.Equal((expected, (string?)null), SecurityOptions.Parse([option]));

    [Fact]
    public void Seccomp_unconfined_and_a_profile_file_are_kept_as_docker_keeps_them()
    {
        Assert.Equal("unconfined", SecurityOptions.Parse(["seccomp=unconfined"]).SeccompProfile);
        Assert.Equal("unconfined", SecurityOptions.Parse(["seccomp:unconfined"]).SeccompProfile);
        var file = Path.GetTempFileName();
        try
        {
            const string profile = """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}""";
            File.WriteAllText(file, profile);
            Assert.Equal((true, profile), SecurityOptions.Parse(["no-new-privileges", $"seccomp={file}"]));
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData("apparmor=unconfined", "unsupported --security-opt \"apparmor=unconfined\" (supported: no-new-privileges, seccomp=unconfined|PROFILE.json)")]
    [InlineData("seccomp=", "invalid --security-opt \"seccomp=\": give seccomp=unconfined or seccomp=PROFILE.json")]
    [InlineData("no-new-privileges=maybe", "invalid --security-opt \"no-new-privileges=maybe\": no-new-privileges takes true or false")]
    [InlineData("seccomp=/nonexistent/profile.json", "cannot read the seccomp profile \"/nonexistent/profile.json\" (no such file): give the path of a JSON profile, or seccomp=unconfined")]
    public void Bad_options_are_refused_in_one_sentence(string option, string message) =>
        Assert.Equal(message, Assert.Throws<InvalidInputException>(() => SecurityOptions.Parse([option])).Message);

    [Fact]
    public void Privileged_and_unconfined_containers_get_no_filter_and_others_the_default_for_their_capabilities()
    {
        var request = new RunRequest { Image = "busybox" };
        Assert.Null(SecurityOptions.Seccomp(request with { Privileged = true }, Capabilities.Names));
        Assert.Null(SecurityOptions.Seccomp(request with { SeccompProfile = "unconfined" }, Capabilities.DockerDefault));
        var confined = SecurityOptions.Seccomp(request, Capabilities.DockerDefault)!;
        Assert.Equal("SCMP_ACT_ERRNO", confined.DefaultAction);
        Assert.DoesNotContain(confined.Syscalls!, s => s.Names.Contains("mount"));
        Assert.Contains(SecurityOptions.Seccomp(request, [.. Capabilities.DockerDefault, "CAP_SYS_ADMIN"])!.Syscalls!, s => s.Names.Contains("mount"));
    }
}
