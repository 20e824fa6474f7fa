using Skiff.Linux;
using Skiff.Runtime.Process;

namespace Skiff.UnitTests.Runtime;

public sealed class ContainerUserTests
{
    private const string Passwd = """
        # written by the image
        root:x:0:0:root:/root:/bin/sh
        daemon:x:1:1:daemon:/usr/sbin:/bin/false

        alice:x:1000:1000:Alice:/home/alice:/bin/sh
        nohome:x:1001:1001:No Home::/bin/sh
        nobody:x:65534:65534:nobody:/nonexistent:/bin/false
        """;

    private const string Group = """
        root:x:0:root
        wheel:x:10:root,alice
        audio:x:29:alice
        video:x:44:bob
        alice:x:1000:
        nogroup:x:65534:
        """;

    private static ContainerUser Resolve(string spec) => ContainerUser.Resolve(spec, Passwd, Group);

    [Fact]
    public void Nobody_runs_with_its_passwd_uid_gid_and_home()
    {
        var u = Resolve("nobody");

        Assert.Equal((65534u, 65534u, "/nonexistent"), (u.Uid, u.Gid, u.Home));
        Assert.Empty(u.AdditionalGids);
    }

    [Fact]
    public void User_name_gets_supplementary_groups_from_group_membership()
    {
        var u = Resolve("alice");

        Assert.Equal((1000u, 1000u, "/home/alice"), (u.Uid, u.Gid, u.Home));
        Assert.Equal([10u, 29u], u.AdditionalGids);
    }

    [Fact]
    public void Numeric_uid_found_in_passwd_behaves_like_the_name()
    {
        var u = Resolve("1000");

        Assert.Equal((1000u, 1000u, "/home/alice"), (u.Uid, u.Gid, u.Home));
        Assert.Equal([10u, 29u], u.AdditionalGids);
    }

    [Fact]
    public void Uid_colon_gid_sets_both()
    {
        var u = Resolve("1000:1000");

        Assert.Equal((1000u, 1000u), (u.Uid, u.Gid));
        Assert.Equal([10u, 29u], u.AdditionalGids);
    }

    [Fact]
    public void Name_colon_group_name_takes_the_group_gid_and_keeps_other_memberships()
    {
        var u = Resolve("root:wheel");

        Assert.Equal((0u, 10u, "/root"), (u.Uid, u.Gid, u.Home));
        Assert.Equal([0u], u.AdditionalGids);
    }

    [Fact]
    public void Primary_group_is_not_repeated_among_the_supplementary_groups()
    {
        var u = Resolve("alice:audio");

        Assert.Equal(29u, u.Gid);
        Assert.Equal([10u], u.AdditionalGids);
    }

    [Fact]
    public void Numeric_uid_missing_from_passwd_is_allowed_with_gid_0_and_home_slash()
    {
        var u = Resolve("4242");

        Assert.Equal((4242u, 0u, "/"), (u.Uid, u.Gid, u.Home));
        Assert.Empty(u.AdditionalGids);
    }

    [Fact]
    public void Numeric_uid_and_gid_both_missing_from_the_files_are_allowed()
    {
        var u = Resolve("4242:4343");

        Assert.Equal((4242u, 4343u, "/"), (u.Uid, u.Gid, u.Home));
    }

    [Fact]
    public void Empty_home_field_falls_back_to_slash()
    {
        Assert.Equal("/", Resolve("nohome").Home);
    }

    [Fact]
    public void Unknown_user_name_is_an_error_naming_the_user()
    {
        var e = Assert.Throws<InvalidInputException>(() => Resolve("bob"));

        Assert.Equal("unable to find user bob: no matching entries in passwd file", e.Message);
    }

    [Fact]
    public void Unknown_group_name_is_an_error_naming_the_group()
    {
        var e = Assert.Throws<InvalidInputException>(() => Resolve("alice:staff"));

        Assert.Equal("unable to find group staff: no matching entries in group file", e.Message);
    }

    [Fact]
    public void Image_without_passwd_file_still_runs_numeric_users()
    {
        var u = ContainerUser.Resolve("0", "", "");

        Assert.Equal((0u, 0u, "/"), (u.Uid, u.Gid, u.Home));
        Assert.Throws<InvalidInputException>(() => ContainerUser.Resolve("root", "", ""));
    }
}
