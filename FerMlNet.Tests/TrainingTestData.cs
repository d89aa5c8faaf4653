using FerMlNet.Core;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;

namespace FerMlNet.Tests;

/// <summary>Small real training sets decoded from fer4-mit through the fast path.</summary>
internal static class TrainingTestData
{
    public static (byte[] Pixels, int[] Labels) Decode(string splitFolder, int perClass)
    {
        var pixels = new List<byte>();
        var labels = new List<int>();
        for (int c = 0; c < EmotionClasses.Count; c++)
            foreach (var f in TestData.Fer4MitImages(splitFolder, EmotionClasses.Names[c], perClass))
            {
                pixels.AddRange(FaceImageDecoder.DecodeFile(f));
                labels.Add(c);
            }
        return (pixels.ToArray(), labels.ToArray());
    }

    public static TrainingData Load(string splitFolder, int perClass)
    {
        var (p, l) = Decode(splitFolder, perClass);
        return new TrainingData(p, l);
    }
}
