using System.Text.Json.Nodes;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FerMlNet.Training.MlNet;

/// <summary>Evaluates a FerMlNet ML.NET model with ML.NET's MulticlassClassification.Evaluate on one split.</summary>
public static class MlNetEvaluation
{
    private sealed class LabelledImage
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private sealed class ScoredImage
    {
        public string Label { get; set; } = "";

        [VectorType(4)]
        public float[] Score { get; set; } = [];

        public string Predicted { get; set; } = "";
    }

    /// <summary>
    /// Scores every image of <paramref name="split"/> through <paramref name="model"/> (the whole model.zip pipeline,
    /// image path in) and returns metrics.json's content: ML.NET's metrics plus per-class precision/recall/F1.
    /// </summary>
    public static JsonObject Evaluate(ITransformer model, DatasetIndex dataset, DatasetSplit split)
    {
        var ml = new MLContext(seed: 0);
        var rows = dataset.Entries.Where(e => e.Split == split)
            .Select(e => new LabelledImage { ImagePath = e.FullPath, Label = EmotionClasses.Names[e.Label] }).ToList();
        if (rows.Count == 0) throw new InvalidDataException($"The {split.ToName()} split of '{dataset.Root}' is empty.");
        var keys = ml.Data.LoadFromEnumerable(EmotionClasses.Names.Select(n => new { Label = n }));
        var data = ml.Data.LoadFromEnumerable(rows);
        // The model gives Score; the predicted label is its arg-max (see FerOnnxCatalog for why the model.zip has no
        // text label column). Both go to ML.NET's evaluator as key columns over the same class list.
        var scores = model.Transform(data).GetColumn<VBuffer<float>>(FerOnnxCatalog.ScoreColumn)
            .Select(v => v.DenseValues().ToArray()).ToArray();
        var scoredRows = rows.Select((r, i) => new ScoredImage
        {
            Label = r.Label,
            Score = scores[i],
            Predicted = EmotionClasses.MostProbable(scores[i]),
        });
        var scored = ml.Data.LoadFromEnumerable(scoredRows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label", keyData: keys)
            .Append(ml.Transforms.Conversion.MapValueToKey("PredictedKey", "Predicted", keyData: keys))
            .Fit(scored).Transform(scored);
        var m = ml.MulticlassClassification.Evaluate(keyed, "LabelKey", "Score", "PredictedKey");

        var matrix = m.ConfusionMatrix;
        var perClass = new JsonObject();
        double f1Sum = 0;
        for (int c = 0; c < EmotionClasses.Count; c++)
        {
            double tp = matrix.GetCountForClassPair(c, c);
            double support = Enumerable.Range(0, EmotionClasses.Count).Sum(p => matrix.GetCountForClassPair(p, c));
            double predicted = Enumerable.Range(0, EmotionClasses.Count).Sum(t => matrix.GetCountForClassPair(c, t));
            double precision = predicted == 0 ? 0 : tp / predicted, recall = support == 0 ? 0 : tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            f1Sum += f1;
            perClass[EmotionClasses.Names[c]] = new JsonObject
            {
                ["precision"] = precision, ["recall"] = recall, ["f1"] = f1, ["support"] = (int)support,
                ["logLoss"] = m.PerClassLogLoss[c],
            };
        }
        var rowsJson = new JsonArray();
        for (int t = 0; t < EmotionClasses.Count; t++)
            rowsJson.Add(new JsonArray(Enumerable.Range(0, EmotionClasses.Count)
                .Select(p => (JsonNode)(int)matrix.GetCountForClassPair(p, t)).ToArray()));
        return new JsonObject
        {
            ["split"] = split.ToName(),
            ["images"] = rows.Count,
            ["accuracy"] = m.MicroAccuracy,
            ["macroF1"] = f1Sum / EmotionClasses.Count,
            ["microAccuracy"] = m.MicroAccuracy,
            ["macroAccuracy"] = m.MacroAccuracy,
            ["logLoss"] = m.LogLoss,
            ["logLossReduction"] = m.LogLossReduction,
            ["perClass"] = perClass,
            ["confusionMatrix"] = new JsonObject
            {
                ["labels"] = new JsonArray(EmotionClasses.Names.Select(n => (JsonNode)n).ToArray()),
                ["rows"] = rowsJson,
            },
        };
    }
}
