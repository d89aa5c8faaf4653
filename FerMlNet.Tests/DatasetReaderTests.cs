using FerMlNet.Preprocessing;
using FerMlNet.Core;
using FerMlNet.Core.Data;

namespace FerMlNet.Tests;

public class DatasetReaderTests
{
    [Fact]
    public void EmbeddedDatasetHasTheNotebookCounts()
    {
        var index = DatasetReader.Read(TestData.Fer4Mit);
        Assert.True(index.IsSplit);
        Assert.Equal(20_214, index.Entries.Count);
        int[] train = [3976, 3978, 3982, 3173], val = [1825, 1216, 1139, 797], test = [32, 32, 32, 32];
        for (int c = 0; c < 4; c++)
        {
            Assert.Equal(train[c], index.Count(DatasetSplit.Train, c));
            Assert.Equal(val[c], index.Count(DatasetSplit.Val, c));
            Assert.Equal(test[c], index.Count(DatasetSplit.Test, c));
        }
        Assert.Equal("validation", index.SplitFolders[DatasetSplit.Val]);
        Assert.Empty(index.Notices);
    }

    [Theory]
    [InlineData("Training", DatasetSplit.Train)]
    [InlineData("VALID", DatasetSplit.Val)]
    [InlineData("Public_Test", DatasetSplit.Val)]
    [InlineData("dev", DatasetSplit.Val)]
    [InlineData("private-test", DatasetSplit.Test)]
    [InlineData("Testing", DatasetSplit.Test)]
    public void SplitNamesAreNormalisedAsInTheNotebook(string folder, DatasetSplit expected) =>
        Assert.Equal(expected, SplitNames.TryNormalize(folder));

    [Fact]
    public void ReadsAliasesCaseInsensitiveExtensionsAndReportsWhatItSkips()
    {
        using var tmp = TestData.NewTempDir();
        TestData.CopySubset(tmp.Path, 2, ("train", "Training"), ("validation", "PublicTest"));
        // Upper-case extension and folder name, a "surprised" folder, a stray text file, an unknown class, an empty class.
        var happy = TestData.Fer4MitImages("test", "happy", 1)[0];
        File.Copy(happy, tmp.Combine("Training", "happy", "EXTRA.JPG"));
        Directory.Move(tmp.Combine("Training", "surprise"), tmp.Combine("Training", "Surprised"));
        File.WriteAllText(tmp.Combine("Training", "happy", "notes.txt"), "not an image");
        Directory.CreateDirectory(tmp.Combine("Training", "angry"));
        foreach (var f in Directory.GetFiles(tmp.Combine("PublicTest", "sad"))) File.Delete(f);

        var index = DatasetReader.Read(tmp.Path);
        Assert.Equal(3, index.Count(DatasetSplit.Train, 0));
        Assert.Equal(2, index.Count(DatasetSplit.Train, 3));
        Assert.Equal(0, index.Count(DatasetSplit.Val, 2));
        Assert.Contains(index.Notices, n => n.Path == "Training/happy/notes.txt" && n.Reason.Contains("not an image"));
        Assert.Contains(index.Notices, n => n.Path == "Training/angry" && n.Reason.Contains("unknown class"));
        Assert.Contains(index.Notices, n => n.Path == "PublicTest/sad" && n.Reason.Contains("empty"));
    }

    [Fact]
    public void UnknownSplitFolderIsAnErrorNamingIt()
    {
        using var tmp = TestData.NewTempDir();
        TestData.CopySubset(tmp.Path, 1, ("train", "train"), ("test", "holdout"));
        var e = Assert.Throws<DatasetException>(() => DatasetReader.Read(tmp.Path));
        Assert.Contains("'holdout'", e.Message);
    }

    [Fact]
    public void MissingFolderAndFolderWithoutImagesAreClearErrors()
    {
        Assert.Contains("does not exist", Assert.Throws<DatasetException>(() => DatasetReader.Read("/no/such/dataset")).Message);
        using var tmp = TestData.NewTempDir();
        Directory.CreateDirectory(tmp.Combine("misc"));
        Assert.Contains("neither split folders", Assert.Throws<DatasetException>(() => DatasetReader.Read(tmp.Path)).Message);
    }

    [Fact]
    public void UnsplitClassFoldersAreReadAsOneSet()
    {
        using var tmp = TestData.NewTempDir();
        TestData.CopySubset(tmp.Path, 3, ("test", "."));
        var index = DatasetReader.Read(tmp.Path);
        Assert.False(index.IsSplit);
        Assert.Equal(12, index.Entries.Count);
        Assert.All(index.Entries, e => Assert.Equal(DatasetSplit.All, e.Split));
    }

    [Fact]
    public void MissingValidationIsMadeFromTenPercentOfEachTrainClassReproducibly()
    {
        using var tmp = TestData.NewTempDir();
        TestData.CopySubset(tmp.Path, 25, ("train", "train"), ("test", "test"));
        var first = DatasetReader.Read(tmp.Path);
        var second = DatasetReader.Read(tmp.Path);
        for (int c = 0; c < EmotionClasses.Count; c++)
        {
            Assert.Equal(2, first.Count(DatasetSplit.Val, c)); // floor(25 · 0.1)
            Assert.Equal(23, first.Count(DatasetSplit.Train, c));
        }
        Assert.Equal(first.Entries.Select(e => (e.RelativePath, e.Split)), second.Entries.Select(e => (e.RelativePath, e.Split)));
        Assert.Contains(first.Notices, n => n.Reason.Contains("no validation split"));
    }
}
