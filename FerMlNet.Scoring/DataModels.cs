using Microsoft.ML.Data;

namespace FerMlNet.Scoring;

/// <summary>Input row of a FerMlNet model.zip: the path of an image file.</summary>
public sealed class FerImageInput
{
    /// <summary>Path of a JPEG or PNG image (any size, colour or grey).</summary>
    [ColumnName("ImagePath")]
    public string ImagePath { get; set; } = "";
}

/// <summary>Output row of a FerMlNet model.zip.</summary>
public sealed class FerPrediction
{
    /// <summary>Probabilities in the order happy, neutral, sad, surprise.</summary>
    [ColumnName("Score")]
    public float[] Score { get; set; } = [];

    /// <summary>The most probable class: happy, neutral, sad or surprise.</summary>
    public string PredictedLabel =>
        Score.Length == FerMlNet.Preprocessing.EmotionClasses.Count ? FerMlNet.Preprocessing.EmotionClasses.MostProbable(Score) : "";
}
