using FerMlNet.Core.Labels;

namespace FerMlNet.Tests;

/// <summary>The crowd's verdict on the top of a mislabel list: precision of the flags and of their suggestions.</summary>
public sealed class CrowdFlagCheckTests
{
    [Fact]
    public void TopFlagsAreJudgedByTheCrowdMajorityAgainstTheRateAtWhichTheCrowdRejectsAnyLabel()
    {
        using var dir = TestData.NewTempDir();
        var file = dir.Combine("votes.csv");
        File.WriteAllLines(file,
        [
            "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF",
            "Training,fer0000000.png,1,8,1,0,0,0,0,0,0,0", // row 0: happy
            "Training,fer0000001.png,7,2,0,1,0,0,0,0,0,0", // row 1: neutral
            "Training,fer0000002.png,4,0,0,6,0,0,0,0,0,0", // row 2: sad
            "Training,fer0000003.png,0,0,0,0,0,0,0,0,0,10", // row 3: not a face
            "Training,fer0000004.png,0,1,9,0,0,0,0,0,0,0", // row 4: surprise
            "Training,fer0000005.png,0,0,0,10,0,0,0,0,0,0", // row 5: sad
        ]);
        var votes = CrowdVoteTable.Load(file);
        (string, int, int)[] flags =
        [
            ("train/sad/0.jpg", 2, 0),      // crowd: happy — label rejected, suggestion right
            ("train/neutral/2.jpg", 1, 2),  // crowd: sad — label rejected, suggestion right
            ("train/happy/1.jpg", 0, 3),    // crowd: neutral — label rejected, suggestion wrong
            ("train/surprise/4.jpg", 3, 0), // crowd: surprise — a false alarm
            ("train/happy/3.jpg", 0, 1),    // crowd: not a face — label rejected
            ("train/happy/77.jpg", 0, 1),   // no votes
        ];
        (string, int)[] all = [.. flags.Select(f => (f.Item1, f.Item2)), ("train/sad/5.jpg", 2)];

        var top5 = CrowdFlagCheck.Of(flags, all, votes, top: 5);
        Assert.Equal((5, 5, 1, 2), (top5.Top, top5.WithVotes, top5.CrowdConfirmsGiven, top5.CrowdPicksSuggested));
        Assert.Equal(0.8, top5.Precision, 1e-12);
        Assert.Equal(0.4, top5.SuggestionPrecision, 1e-12);
        Assert.Equal(6, top5.BaseImages); // the face without votes is left out
        Assert.Equal(4 / 6.0, top5.BaseRejectRate, 1e-12);

        var everything = CrowdFlagCheck.Of(flags, all, votes, top: 100);
        Assert.Equal((6, 5), (everything.Top, everything.WithVotes));
        var section = everything.ToSection(file);
        Assert.Equal(0.8, section.Precision);
        Assert.Equal("votes.csv", section.VoteFile);

        Assert.Equal(1.0, CrowdFlagCheck.Of(flags, all, votes, top: 1).Precision);
    }
}
