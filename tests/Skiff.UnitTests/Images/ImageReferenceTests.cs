using Skiff.Linux;
using Skiff.Images;

namespace Skiff.UnitTests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "busybox:latest", "docker.io/library/busybox:latest")]
    [InlineData("busybox:latest", "busybox:latest", "docker.io/library/busybox:latest")]
    [InlineData("library/busybox", "busybox:latest", "docker.io/library/busybox:latest")]
    [InlineData("docker.io/library/busybox:latest", "busybox:latest", "docker.io/library/busybox:latest")]
    [InlineData("index.docker.io/library/busybox:1.36", "busybox:1.36", "docker.io/library/busybox:1.36")]
    [InlineData("nginx:1.25-alpine", "nginx:1.25-alpine", "docker.io/library/nginx:1.25-alpine")]
    [InlineData("bitnami/redis", "bitnami/redis:latest", "docker.io/bitnami/redis:latest")]
    [InlineData("ghcr.io/org/app:v1", "ghcr.io/org/app:v1", "ghcr.io/org/app:v1")]
    [InlineData("localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app:latest")]
    [InlineData("localhost/app", "localhost/app:latest", "localhost/app:latest")]
    public void Names_normalise_the_way_docker_does(string input, string familiar, string fullyQualified)
    {
        var reference = ImageReference.Parse(input);
        Assert.Equal(familiar, reference.Familiar);
        Assert.Equal(fullyQualified, reference.FullyQualified);
    }

    [Fact]
    public void A_digest_reference_gets_no_default_tag()
    {
        const string digest = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        var reference = ImageReference.Parse("busybox@" + digest);
        Assert.Null(reference.Tag);
        Assert.Equal(Digest.Parse(digest), reference.Digest);
        Assert.Equal("busybox@" + digest, reference.Familiar);
    }

    [Theory]
    [InlineData("")]
    [InlineData("BusyBox")]
    [InlineData("busybox:")]
    [InlineData("busybox:-bad")]
    [InlineData("busybox@sha256:nothex")]
    [InlineData("/busybox")]
    [InlineData("busybox/")]
    [InlineData("a..b")]
    public void Invalid_names_are_refused(string input)
    {
        Assert.False(ImageReference.TryParse(input, out _));
        Assert.Throws<InvalidInputException>(() => ImageReference.Parse(input));
    }
}
