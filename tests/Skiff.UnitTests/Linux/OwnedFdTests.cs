using Skiff.Linux;

namespace Skiff.UnitTests.Linux;

public sealed class OwnedFdTests
{
    private static bool IsOpen(int fd) => File.Exists($"/proc/self/fd/{fd}");

    [Fact]
    public void Descriptor_is_closed_when_its_scope_ends()
    {
        var (ownedRead, write) = FileDescriptors.Pipe();
        write.Dispose();
        var read = ownedRead.Release();
        using (var owned = new OwnedFd(read))
            Assert.Equal(read, owned.Value);
        Assert.False(IsOpen(read));
    }

    [Fact]
    public void Descriptor_is_closed_when_its_scope_throws()
    {
        var (ownedRead, write) = FileDescriptors.Pipe();
        write.Dispose();
        var read = ownedRead.Release();
        void Scope()
        {
            using var owned = new OwnedFd(read);
            throw new InvalidInputException("the caller gave up");
        }
        Assert.Throws<InvalidInputException>(Scope);
        Assert.False(IsOpen(read));
    }

    [Fact]
    public void A_closed_descriptor_number_is_never_handed_out_again()
    {
        var (ownedRead, write) = FileDescriptors.Pipe();
        write.Dispose();
        var read = ownedRead.Release();
        var owned = new OwnedFd(read);
        owned.Dispose();
        owned.Dispose();
        Assert.Throws<ObjectDisposedException>(() => owned.Value);
    }

    [Fact]
    public void A_released_descriptor_stays_open_for_its_next_owner()
    {
        var (read, write) = FileDescriptors.Pipe();
        using (write)
        {
            var fd = write.Release();
            write.Dispose();
            Assert.True(IsOpen(fd));
            using var next = new OwnedFd(fd);
        }
        read.Dispose();
    }

    [Fact]
    public void A_failed_call_throws_its_errno_and_owns_nothing()
    {
        var e = Assert.Throws<SyscallException>(() => OwnedFd.Check(Libc.open("/nonexistent/skiff-test", 0, 0), "open /nonexistent/skiff-test"));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Equal("open /nonexistent/skiff-test: No such file or directory", e.Message);
    }
}
