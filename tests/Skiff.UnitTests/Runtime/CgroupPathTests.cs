using Skiff.Runtime;

namespace Skiff.UnitTests.Runtime;

public sealed class CgroupPathTests
{
    [Fact]
    public void No_cgroups_path_puts_the_container_under_skiff()
    {
        Assert.Equal(("skiff", "c0ffee"), ContainerRuntime.CgroupPath(null, "c0ffee"));
        Assert.Equal(("skiff", "c0ffee"), ContainerRuntime.CgroupPath("  ", "c0ffee"));
    }

    [Fact]
    public void Absolute_nested_path_splits_into_parent_and_leaf()
    {
        Assert.Equal(("a/b", "c"), ContainerRuntime.CgroupPath("/a/b/c", "ignored"));
    }

    [Fact]
    public void Relative_path_with_trailing_slash_splits_the_same_way()
    {
        Assert.Equal(("skiff", "abc"), ContainerRuntime.CgroupPath("skiff/abc/", "ignored"));
    }

    [Fact]
    public void Single_component_has_an_empty_parent()
    {
        Assert.Equal(("", "x"), ContainerRuntime.CgroupPath("x", "ignored"));
        Assert.Equal(("", "x"), ContainerRuntime.CgroupPath("/x", "ignored"));
    }
}
