using Skiff.Engine;
using Skiff.Linux;
using Skiff.Engine.Containers;
using Skiff.Engine.State;

namespace Skiff.UnitTests.Engine;

public sealed class ContainerStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("skiff-state").FullName;

    private static ContainerRecord Record(string id, string name) => new()
    {
        Id = id.PadRight(64, '0'), Name = name, Image = "busybox", ImageId = "sha256:" + new string('a', 64),
        Created = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc),
        Request = new RunRequest { Image = "busybox", Command = ["sh", "-c", "echo hi"], Resources = new ResourceLimits { MemoryBytes = 1 << 26 } },
    };

    [Fact]
    public void A_record_survives_a_round_trip_through_the_database()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);
        store.Insert(Record("abc", "web"));

        var found = store.Find("web");
        Assert.Equal("abc".PadRight(64, '0'), found.Id);
        Assert.Equal(["sh", "-c", "echo hi"], found.Request.Command);
        Assert.Equal(1 << 26, found.Request.Resources.MemoryBytes);
        Assert.Equal(ContainerStatus.Created, found.Status);
        Assert.Equal(new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc), found.Created);
    }

    [Fact]
    public void Containers_are_found_by_unique_id_prefix_and_ambiguity_is_an_error()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);
        store.Insert(Record("abc1", "one"));
        store.Insert(Record("abc2", "two"));

        Assert.Equal("two", store.Find("abc2").Name);
        Assert.Contains("ambiguous", Assert.Throws<InvalidInputException>(() => store.Find("abc")).Message);
        Assert.Contains("no such container: zzz", Assert.Throws<NoSuchContainerException>(() => store.Find("zzz")).Message);
    }

    [Fact]
    public void A_taken_name_is_refused_and_names_the_holder()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);
        store.Insert(Record("abc1", "web"));
        var e = Assert.Throws<ConflictException>(() => store.Insert(Record("def1", "web")));
        Assert.Contains("abc1", e.Message);
        Assert.Single(store.List());
    }

    [Fact]
    public void Updates_change_state_and_persist_across_connections()
    {
        using (var db = new StateDatabase(_root))
        {
            var store = new ContainerStore(db);
            store.Insert(Record("abc1", "web"));
            store.Update("abc1".PadRight(64, '0'), c => c with { Status = ContainerStatus.Exited, ExitCode = 137, OomKilled = true, FinishedAt = DateTime.UtcNow });
        }
        using var again = new StateDatabase(_root);
        var record = new ContainerStore(again).Find("web");
        Assert.Equal(ContainerStatus.Exited, record.Status);
        Assert.Equal(137, record.ExitCode);
        Assert.True(record.OomKilled);
    }

    [Theory]
    [InlineData("web"), InlineData("a1"), InlineData("my_app.v2-1")]
    public void Docker_style_names_are_accepted(string name) => ContainerStore.ValidateName(name);

    [Theory]
    [InlineData("a"), InlineData("-web"), InlineData("we b"), InlineData("web/1"), InlineData("")]
    public void Invalid_names_are_refused(string name) =>
        Assert.Throws<InvalidInputException>(() => ContainerStore.ValidateName(name));

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
