using System.Diagnostics;
using System.Text.Json.Nodes;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace FerMlNet.Training.Transfer;

/// <summary>What a transfer run produced: validation probabilities, the per-epoch history of an MLP head, and the head's size.</summary>
public sealed record TransferResult(float[][] ValScores, int[] ValTruth, IReadOnlyList<EpochRecord> History, long HeadParameters,
    int TrainImages, double FeatureSeconds, double HeadSeconds);

/// <summary>
/// Trains a head on frozen ResNet18 features (<see cref="ResNet18Features"/>): ML.NET's L-BFGS maximum entropy, or a
/// small TorchSharp MLP (Dense 256 → ReLU → Dropout 0.3 → Dense 4; Keras Adam, the pipeline's label smoothing and
/// class weights, early stopping on validation accuracy with the best weights restored).
/// </summary>
public static class TransferTrainer
{
    private sealed class FeatureRow
    {
        [VectorType(ResNet18Features.Dimensions)]
        public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    private sealed class Scored
    {
        [ColumnName("Score")]
        public float[] Score { get; set; } = [];
    }

    /// <summary>Trained weights of a head: L-BFGS 512×4 + 4 = 2,052; MLP 132,356. The frozen backbone is not counted.</summary>
    public static long HeadParameterCount(TransferHeadType head)
    {
        if (head != TransferHeadType.Mlp) return (long)ResNet18Features.Dimensions * EmotionClasses.Count + EmotionClasses.Count;
        using var mlp = new TransferHead();
        return mlp.parameters().Sum(p => p.numel());
    }

    /// <summary>Runs the transfer pipeline on a decoded, split dataset.</summary>
    public static TransferResult Train(PipelineOptions options, DecodedDataset data, string cacheDirectory, Action<int, int>? progress = null)
    {
        var transfer = options.Transfer ?? throw new InvalidDataException($"Pipeline '{options.Name}' has no 'transfer' settings.");
        var trainRows = data.IndicesOf(DatasetSplit.Train);
        if (transfer.TrainLimitPerClass is { } limit)
        {
            // A seeded, class-stratified subset: the same images on every run with this seed.
            var random = new Random(options.Seed);
            trainRows = trainRows.GroupBy(i => data.Labels[i]).SelectMany(g => g.OrderBy(_ => random.Next()).Take(limit)).Order().ToArray();
        }
        var valRows = data.IndicesOf(DatasetSplit.Val);
        if (trainRows.Length == 0 || valRows.Length == 0) throw new InvalidDataException("Transfer learning needs non-empty train and val splits.");
        var clock = Stopwatch.StartNew();
        var trainFeatures = ResNet18Features.For(data, trainRows, cacheDirectory, progress);
        var valFeatures = ResNet18Features.For(data, valRows, cacheDirectory, progress);
        double featureSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var trainLabels = trainRows.Select(i => data.Labels[i]).ToArray();
        var valLabels = valRows.Select(i => data.Labels[i]).ToArray();
        (float[][] scores, IReadOnlyList<EpochRecord> history, long parameters) result;
        if (transfer.Head == TransferHeadType.Mlp)
            lock (CnnTrainer.OneTrainingAtATime) result = TrainMlp(options, trainFeatures, trainLabels, valFeatures, valLabels);
        else
            result = TrainLbfgs(trainFeatures, trainLabels, valFeatures);
        var (scores, history, parameters) = result;
        return new TransferResult(scores, valLabels, history, parameters, trainRows.Length, featureSeconds, clock.Elapsed.TotalSeconds);
    }

    private static (float[][], IReadOnlyList<EpochRecord>, long) TrainLbfgs(float[][] trainX, int[] trainY, float[][] valX)
    {
        var ml = new MLContext(seed: 0);
        var keys = ml.Data.LoadFromEnumerable(EmotionClasses.Names.Select(n => new { Label = n }));
        IDataView Rows(float[][] x, int[]? y) => ml.Data.LoadFromEnumerable(x.Select((f, i) => new FeatureRow
        {
            Features = f, Label = EmotionClasses.Names[y?[i] ?? 0],
        }));
        // Keys in the class order (not order of appearance), so Score[k] is the probability of EmotionClasses.Names[k].
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
        var model = pipeline.Fit(Rows(trainX, trainY));
        var scores = ml.Data.CreateEnumerable<Scored>(model.Transform(Rows(valX, null)), reuseRowObject: false)
            .Select(s => s.Score).ToArray();
        return (scores, [], HeadParameterCount(TransferHeadType.Lbfgs));
    }

    private static (float[][], IReadOnlyList<EpochRecord>, long) TrainMlp(PipelineOptions options, float[][] trainX, int[] trainY,
        float[][] valX, int[] valY)
    {
        torch.manual_seed(options.Seed);
        using var head = new TransferHead();
        var adam = new KerasAdam(head.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList());
        using var x = tensor(trainX.SelectMany(r => r).ToArray(), [trainX.Length, ResNet18Features.Dimensions]);
        using var y = tensor(trainY.Select(v => (long)v).ToArray());
        using var vx = tensor(valX.SelectMany(r => r).ToArray(), [valX.Length, ResNet18Features.Dimensions]);
        using var weights = options.ClassWeights == ClassWeighting.Balanced ? tensor(Losses.BalancedClassWeights(trainY)) : null;
        var history = new List<EpochRecord>();
        var random = new Random(options.Seed);
        Dictionary<string, Tensor>? best = null;
        double bestVal = -1;
        int patience = options.EarlyStopping?.Patience ?? 10, wait = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            head.train();
            var order = Enumerable.Range(0, trainX.Length).ToArray();
            random.Shuffle(order);
            double lossSum = 0;
            int correct = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                using var scope = NewDisposeScope();
                using var idx = tensor(order.Skip(start).Take(options.BatchSize).Select(i => (long)i).ToArray());
                var logits = head.forward(x.index_select(0, idx));
                var labels = y.index_select(0, idx);
                var loss = Losses.Batch(logits, labels, options.Loss, weights);
                adam.ZeroGrad();
                loss.backward();
                adam.Update(options.LearningRate);
                lossSum += loss.item<float>() * idx.shape[0];
                correct += (int)logits.argmax(1).eq(labels).sum().item<long>();
            }
            var (valScores, valLoss) = Evaluate(head, vx, valY, options.Loss);
            double valAcc = valScores.Select((s, i) => EmotionClasses.ArgMax(s) == valY[i]).Count(h => h) / (double)valY.Length;
            history.Add(new EpochRecord(epoch, lossSum / trainX.Length, (double)correct / trainX.Length, valLoss, valAcc,
                options.LearningRate, clock.Elapsed.TotalSeconds, trainX.Length / clock.Elapsed.TotalSeconds));
            if (valAcc > bestVal)
            {
                bestVal = valAcc;
                wait = 0;
                foreach (var t in best?.Values ?? Enumerable.Empty<Tensor>()) t.Dispose();
                best = head.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
            }
            else if (++wait >= patience) break;
        }
        head.load_state_dict(best!);
        var scores = Evaluate(head, vx, valY, options.Loss).Scores;
        foreach (var t in best!.Values) t.Dispose();
        return (scores, history, head.parameters().Sum(p => p.numel()));
    }

    private static (float[][] Scores, double Loss) Evaluate(TransferHead head, Tensor x, int[] y, LossOptions loss)
    {
        head.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var logits = head.forward(x);
        using var labels = tensor(y.Select(v => (long)v).ToArray());
        double value = Losses.Batch(logits, labels, loss, null).item<float>();
        var probabilities = logits.softmax(1).data<float>().ToArray();
        return (Enumerable.Range(0, y.Length).Select(i => probabilities.AsSpan(i * 4, 4).ToArray()).ToArray(), value);
    }
}

/// <summary>The MLP head on ResNet18 features: Dense 256 → ReLU → Dropout 0.3 → Dense 4 (logits).</summary>
internal sealed class TransferHead : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> dense1 = nn.Linear(ResNet18Features.Dimensions, 256);
    private readonly nn.Module<Tensor, Tensor> relu = nn.ReLU();
    private readonly nn.Module<Tensor, Tensor> dropout = nn.Dropout(0.3);
    private readonly nn.Module<Tensor, Tensor> dense2 = nn.Linear(256, EmotionClasses.Count);

    public TransferHead() : base(nameof(TransferHead)) => RegisterComponents();

    public override Tensor forward(Tensor input) => dense2.forward(dropout.forward(relu.forward(dense1.forward(input))));
}
