using System.Diagnostics;
using FerMlNet.Core;
using FerMlNet.Core.Native;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// Trains every pipeline: seeds and builds the network, hands it to a <see cref="CnnTrainingLoop"/> (one epoch of
/// batches and validation), and around each epoch keeps the schedule, the best weights, early stopping and an atomic
/// checkpoint. Each epoch reseeds dropout, shuffling and augmentation from (seed, epoch), so a run resumed after a kill
/// gives the same weights as an uninterrupted one.
/// </summary>
public static class CnnTrainer
{
    /// <summary>Trains <paramref name="options"/> on <paramref name="train"/>, validating on <paramref name="validation"/>.</summary>
    public static TrainingResult Train(PipelineOptions options, TrainingData train, TrainingData validation,
        TrainerRunOptions? run = null)
    {
        // Weight init and dropout draw from libtorch's process-wide generator (TorchSharp's dropout takes no
        // generator), so two trainings at once in one process would consume each other's random numbers and neither
        // would be reproducible. One at a time per process; each already uses every core.
        lock (OneTrainingAtATime) return TrainSeeded(options, train, validation, run);
    }

    /// <summary>Held while anything draws from libtorch's process-wide generator for a seeded result (training).</summary>
    internal static readonly Lock OneTrainingAtATime = new();

    private static TrainingResult TrainSeeded(PipelineOptions options, TrainingData train, TrainingData validation,
        TrainerRunOptions? run = null)
    {
        run ??= new TrainerRunOptions();
        GlibcMalloc.Tune();
        if (run.Threads > 0) torch.set_num_threads(run.Threads);
        var device = ResolveDevice(run.Device);
        if (train.Count == 0) throw new InvalidDataException("The training split is empty.");
        if (validation.Count == 0) throw new InvalidDataException("The validation split is empty.");
        var missing = Enumerable.Range(0, EmotionClasses.Count).Where(c => !train.LabelList.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException("The training split has no images of class " +
                string.Join(", ", missing.Select(c => $"'{EmotionClasses.Names[c]}'")) + ".");

        torch.manual_seed(options.Seed);
        var network = ModelZoo.Create(options.Architecture, options.Dropout, options.L2, options.BatchNormMomentum);
        if (options.InitialWeights is { } initial) WarmStart(network, options, initial);
        network.to(device);
        using var loop = new CnnTrainingLoop(network, Teachers(options, train, device), options, train, validation, run, device);
        var optimizer = loop.Optimizer;
        var schedule = loop.Schedule;
        var average = loop.Average;
        var best = network.state_dict().Select(kv => (Name: Checkpoint.BestPrefix + kv.Key, Tensor: kv.Value.detach().clone())).ToList();
        var stateTensors = network.state_dict().Select(kv => (kv.Key, kv.Value))
            .Concat(best)
            .Concat(optimizer.StateTensors)
            .Concat(average?.CheckpointTensors ?? [])
            .ToList();

        var state = new TrainingState { Architecture = options.Architecture, LearningRate = options.LearningRate };

        var checkpointPath = run.CheckpointDirectory is null ? null : Path.Combine(run.CheckpointDirectory, Checkpoint.FileName);
        if (run.Resume && checkpointPath is not null && File.Exists(checkpointPath))
        {
            state = Checkpoint.Load(checkpointPath, stateTensors);
            if (state.Architecture != options.Architecture)
                throw new InvalidDataException($"Checkpoint '{checkpointPath}' is of architecture '{state.Architecture}', " +
                    $"the pipeline uses '{options.Architecture}'. Start without --resume.");
            optimizer.Step = state.OptimizerStep;
            schedule.Current = state.LearningRate;
            schedule.PlateauBest = state.PlateauBest;
            schedule.PlateauWait = state.PlateauWait;
        }

        var clock = new TrainingBudget(run, state.BudgetMinutesSpent);
        int epochsThisRun = 0;
        while (!state.Finished && state.EpochsDone < options.Epochs)
        {
            int epoch = state.EpochsDone + 1;
            var record = loop.RunEpoch(epoch, clock, out bool timedOut);
            if (record is null) // the time budget ran out before the epoch ended: keep the best finished epoch
            {
                state.Finished = true;
                state.StopReason = RunStops.BudgetReached(clock.ToString(), $"during epoch {epoch}");
                break;
            }
            state.History.Add(record);
            state.EpochsDone = epoch;
            state.OptimizerStep = optimizer.Step;
            if (record.ValAccuracy > state.BestValAccuracy)
            {
                state.BestValAccuracy = record.ValAccuracy;
                state.BestEpoch = epoch;
                state.EarlyStopWait = 0;
                using (average?.Applied()) CopyBest(network, best, intoBest: true);
            }
            else
            {
                state.EarlyStopWait++;
            }
            schedule.AfterEpoch(record.ValLoss);
            state.LearningRate = schedule.Current;
            state.PlateauBest = schedule.PlateauBest;
            state.PlateauWait = schedule.PlateauWait;
            state.BudgetMinutesSpent = clock.Minutes;
            if (options.EarlyStopping is { } es && state.EarlyStopWait >= es.Patience)
            {
                state.Finished = true;
                state.StopReason = RunStops.EarlyStopping(es.Patience);
            }
            else if (epoch == options.Epochs)
            {
                state.Finished = true;
                state.StopReason = RunStops.Completed(options.Epochs);
            }
            else if (timedOut)
            {
                state.Finished = true;
                state.StopReason = RunStops.BudgetReached(clock.ToString(), $"after epoch {epoch}");
            }
            if (checkpointPath is not null) Checkpoint.Save(checkpointPath, state, stateTensors);
            run.EpochEnd?.Invoke(record);
            if (run.StopAfterEpochs > 0 && ++epochsThisRun >= run.StopAfterEpochs && !state.Finished) break;
        }

        // The kept model is the best epoch's (Keras ModelCheckpoint save_best_only / restore_best_weights).
        if (state.History.Count > 0) CopyBest(network, best, intoBest: false);
        network.eval();
        return new TrainingResult { Network = network, State = state, ClassWeights = loop.ClassWeights, Precision = loop.Precision };
    }

    /// <summary>Starts from another run's best weights (<see cref="PipelineOptions.InitialWeights"/>).</summary>
    private static void WarmStart(FerNet network, PipelineOptions options, string initial)
    {
        var path = Checkpoint.InRun(initial);
        var source = Checkpoint.ReadState(path).Architecture;
        if (source != options.Architecture)
            throw new InvalidDataException($"initialWeights '{path}' is a run of '{source}'; this pipeline trains '{options.Architecture}'.");
        Checkpoint.LoadBestWeights(path, network.state_dict());
    }

    /// <summary>The distillation teacher (<see cref="PipelineOptions.Distillation"/>), or none.</summary>
    private static TeacherEnsemble Teachers(PipelineOptions options, TrainingData train, Device device) => options.Distillation switch
    {
        null => TeacherEnsemble.None(),
        { TeacherModel: { } model } => TeacherEnsemble.OfPublishedModel(model, train, device),
        { Teachers: var runs } => TeacherEnsemble.OfNetworks(runs.Select(t =>
        {
            var teacher = Checkpoint.LoadBestNetwork(Checkpoint.InRun(t));
            teacher.to(device);
            return teacher;
        }).ToList()),
    };

    /// <summary>
    /// Softmax probabilities of every image (evaluation mode, no augmentation), row per image; with
    /// <paramref name="averageFlips"/> the mean of the face's and its mirror's probabilities (the flip the networks
    /// train with, so both views are in distribution).
    /// </summary>
    public static float[][] PredictProbabilities(FerNet network, TrainingData data, bool averageFlips = false)
    {
        var device = network.parameters().First().device;
        var result = new float[data.Count][];
        network.eval();
        using (no_grad())
            ForEachBatch(network, data, device, (start, input, logits, _) =>
            {
                var softmax = logits.softmax(1);
                if (averageFlips) softmax = softmax.add(network.forward(input.flip(3)).softmax(1)).div_(2f);
                var probabilities = softmax.cpu().data<float>().ToArray();
                for (int i = 0; i < probabilities.Length / EmotionClasses.Count; i++)
                    result[start + i] = probabilities.AsSpan(i * EmotionClasses.Count, EmotionClasses.Count).ToArray();
            });
        network.train();
        return result;
    }

    /// <summary>Runs the network over the data in batches of 256 and hands each batch's start, input, logits and targets over.</summary>
    private static void ForEachBatch(FerNet network, TrainingData data, Device device, Action<long, Tensor, Tensor, Tensor> onBatch)
    {
        const int batch = 256;
        for (long start = 0; start < data.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(batch, data.Count - start);
            var idx = arange(start, start + n, dtype: ScalarType.Int64);
            var input = Batch(data, idx, network.InputChannels, device);
            onBatch(start, input, network.forward(input), data.Targets.index_select(0, idx).to(device));
        }
    }

    /// <summary>Validation loss (same loss, no class weights, plus L2 as Keras reports it) and accuracy.</summary>
    internal static (double Loss, double Accuracy) Evaluate(FerNet network, TrainingData data, PipelineOptions options,
        Device device)
    {
        network.eval();
        using var _ = no_grad();
        double lossSum = 0;
        long correct = 0;
        ForEachBatch(network, data, device, (start, _, logits, targets) =>
        {
            lossSum += Losses.PerSampleOnTargets(logits, targets, options.Loss).sum().item<float>();
            using var labels = data.Labels.narrow(0, start, targets.shape[0]).to(device);
            correct += logits.argmax(1).eq(labels).sum().item<long>();
        });
        double l2;
        using (var penalty = network.L2Penalty()) l2 = penalty.item<float>();
        network.train();
        return (lossSum / data.Count + l2, (double)correct / data.Count);
    }

    /// <summary>Batch of float images in [0, 1] on the device; 3 channels (gray replicated) for the RGB network.</summary>
    internal static Tensor Batch(TrainingData data, Tensor indices, int channels, Device device)
    {
        var x = data.Images.index_select(0, indices).to(device).to_type(ScalarType.Float32).div_(255f);
        return channels == 1 ? x : x.expand(-1, channels, -1, -1).contiguous();
    }

    private static Device ResolveDevice(TrainingDevice device) => device switch
    {
        TrainingDevice.Cuda when cuda.is_available() => CUDA,
        TrainingDevice.Cuda => throw new InvalidDataException("--device cuda: no CUDA build of libtorch or no GPU here; " +
            "this build ships libtorch-cpu. Use --device cpu."),
        _ => CPU,
    };

    /// <summary>Copies the network's state into the "best." tensors, or back from them.</summary>
    private static void CopyBest(FerNet network, List<(string Name, Tensor Tensor)> best, bool intoBest)
    {
        using var _ = no_grad();
        var current = network.state_dict();
        foreach (var (name, saved) in best)
        {
            var live = current[name[Checkpoint.BestPrefix.Length..]];
            if (intoBest) saved.copy_(live); else live.copy_(saved);
        }
    }
}
