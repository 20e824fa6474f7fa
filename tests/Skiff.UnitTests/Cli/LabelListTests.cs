using Skiff.Cli;
using Skiff.Engine.Containers;

namespace Skiff.UnitTests.Cli;

public sealed class LabelListTests
{
    [Fact]
    public void Flags_take_key_or_key_value_and_win_over_files()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "# team labels\nteam=core\n\ntier=web\n");
            var labels = LabelList.Collect([file], ["tier=db", "flag", "url=http://x?a=b"]);
            Assert.Equal(new Dictionary<string, string> { ["team"] = "core", ["tier"] = "db", ["flag"] = "", ["url"] = "http://x?a=b" }, labels);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_label_without_a_key_is_refused()
    {
        Assert.Throws<Skiff.Linux.InvalidInputException>(() => LabelList.Collect([], ["=x"]));
    }

    [Fact]
    public void Container_labels_override_the_images_and_filters_match_key_or_key_value()
    {
        var merged = ImageLabels.Merge(new Dictionary<string, string> { ["a"] = "image", ["b"] = "image" }, new Dictionary<string, string> { ["a"] = "mine" });
        Assert.Equal(new Dictionary<string, string> { ["a"] = "mine", ["b"] = "image" }, merged);
        Assert.True(ImageLabels.Matches(merged, "b"));
        Assert.True(ImageLabels.Matches(merged, "a=mine"));
        Assert.False(ImageLabels.Matches(merged, "a=image"));
        Assert.False(ImageLabels.Matches(merged, "c"));
    }
}
