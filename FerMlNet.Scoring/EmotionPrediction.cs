using FerMlNet.Preprocessing;
using FerMlNet.Scoring.FaceDetection;

namespace FerMlNet.Scoring;

/// <summary>The answer for one face.</summary>
public sealed class EmotionPrediction
{
    /// <summary>Label shown to users: the most probable class, or "uncertain" below the threshold.</summary>
    public required string Label { get; init; }

    /// <summary>The most probable class, even when <see cref="IsUncertain"/>.</summary>
    public required string PredictedClass { get; init; }

    /// <summary>Probability of <see cref="PredictedClass"/>.</summary>
    public required float Confidence { get; init; }

    /// <summary>True when <see cref="Confidence"/> is below the predictor's threshold.</summary>
    public required bool IsUncertain { get; init; }

    /// <summary>The four probabilities in the order happy, neutral, sad, surprise.</summary>
    public required float[] Probabilities { get; init; }

    /// <summary>Where the face is in the photo; null when the whole image was classified.</summary>
    public DetectedFace? Face { get; init; }

    /// <summary>The label "uncertain" used below the threshold.</summary>
    public const string Uncertain = "uncertain";

    /// <summary>
    /// The margin of the sad↔neutral watch that the notebook asks production to keep ("Monitor: Sad ↔ Neutral confusion
    /// in deployment logs"): without true labels a deployment cannot count confusions, so it counts the answers on
    /// that boundary — faces whose two most probable classes are sad and neutral, less than this apart.
    /// </summary>
    public const float SadNeutralMargin = 0.2f;

    /// <summary>True when sad and neutral are this face's two most probable classes and less than <see cref="SadNeutralMargin"/> apart.</summary>
    public bool IsSadNeutralBoundary => IsOnSadNeutralBoundary(Probabilities);

    /// <summary>The sad↔neutral boundary test of <see cref="IsSadNeutralBoundary"/> for four probabilities in class order.</summary>
    public static bool IsOnSadNeutralBoundary(IReadOnlyList<float> probabilities)
    {
        int sad = SadIndex, neutral = NeutralIndex;
        float lower = Math.Min(probabilities[sad], probabilities[neutral]);
        for (int c = 0; c < EmotionClasses.Count; c++)
            if (c != sad && c != neutral && probabilities[c] >= lower) return false;
        return Math.Abs(probabilities[sad] - probabilities[neutral]) < SadNeutralMargin;
    }

    private static readonly int SadIndex = EmotionClasses.Names.ToList().IndexOf("sad");
    private static readonly int NeutralIndex = EmotionClasses.Names.ToList().IndexOf("neutral");

    /// <summary>Probability of a class by name.</summary>
    public float this[string className] => Probabilities[EmotionClasses.Names.ToList().IndexOf(className)];

    internal static EmotionPrediction From(float[] probabilities, float threshold, DetectedFace? face)
    {
        int best = EmotionClasses.ArgMax(probabilities);
        bool uncertain = probabilities[best] < threshold;
        return new EmotionPrediction
        {
            Label = uncertain ? Uncertain : EmotionClasses.Names[best],
            PredictedClass = EmotionClasses.Names[best],
            Confidence = probabilities[best],
            IsUncertain = uncertain,
            Probabilities = probabilities,
            Face = face,
        };
    }
}
