using System.Diagnostics;
using FerMlNet.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// One training run's working parts — the network on its device, the optimizer, the learning-rate schedule, the
/// distillation teachers, the weight average, the class weights and the time budget — and one epoch over them: per
/// batch prepare → augment → mix → forward → loss (+ distillation, + L2) → backward → optimizer step, then a no-grad
/// validation pass. The role of Microsoft.ML.TorchSharp's TorchSharpBaseTrainer: <see cref="CnnTrainer"/> drives the
/// epochs (best weights, early stopping, checkpoints); a variant changes a step by overriding <see cref="Loss"/> or
/// <see cref="Validate"/>.
/// </summary>
internal class CnnTrainingLoop : IDisposable
{
    private readonly TeacherEnsemble _teachers;
    private readonly Tensor? _classWeights;
    private readonly Bf16ComputeCopy? _bf16;

    /// <summary>
    /// Takes the network after its seeded initialisation and the teachers made after it (their creation draws from the
    /// same generator, so the order is part of a seeded result); builds the optimizer, schedule and averages.
    /// </summary>
    public CnnTrainingLoop(FerNet network, TeacherEnsemble teachers, PipelineOptions options, TrainingData train,
        TrainingData validation, TrainerRunOptions run, Device device)
    {
        Network = network;
        _teachers = teachers;
        Options = options;
        Train = train;
        Validation = validation;
        Run = run;
        Device = device;
        Average = options.WeightAverage is { } averaging ? new WeightAverage(network, averaging) : null;
        Optimizer = new KerasAdam(network.named_parameters().Select(p => (p.name, p.parameter as Tensor)).ToList());
        ClassWeights = options.ClassWeights == ClassWeighting.Balanced ? Losses.BalancedClassWeights(train.LabelList) : null;
        _classWeights = ClassWeights is null ? null : tensor(ClassWeights).to(device);
        BatchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        long decaySteps = options.Schedule.DecaySteps > 0
            ? options.Schedule.DecaySteps
            : (long)(train.Count / options.BatchSize) * options.Epochs; // the notebook's (n // 64) · epochs
        Schedule = new LearningRateSchedule(options.Schedule, options.LearningRate, decaySteps);
        // bf16 only where it is faster: on a CPU without bf16 kernels libtorch converts each product to fp32 and back.
        Precision = options.Precision == TrainingPrecision.Bf16 && (device.type != DeviceType.CPU || Bf16Support.OnThisCpu)
            ? TrainingPrecision.Bf16 : TrainingPrecision.Fp32;
        if (Precision == TrainingPrecision.Bf16)
            _bf16 = new Bf16ComputeCopy(network, () =>
            {
                var copy = ModelZoo.Create(options.Architecture, options.Dropout, options.L2, options.BatchNormMomentum);
                copy.to(device);
                return copy;
            });
    }

    /// <summary>The precision the passes run in: the pipeline's, or fp32 where bf16 would be slower.</summary>
    public TrainingPrecision Precision { get; }

    /// <summary>The network being trained.</summary>
    public FerNet Network { get; }

    /// <summary>The pipeline.</summary>
    public PipelineOptions Options { get; }

    /// <summary>The training images.</summary>
    public TrainingData Train { get; }

    /// <summary>The images each epoch is validated on.</summary>
    public TrainingData Validation { get; }

    /// <summary>Run-time settings (progress callback among them).</summary>
    public TrainerRunOptions Run { get; }

    /// <summary>Where the tensors live.</summary>
    public Device Device { get; }

    /// <summary>The optimizer: the Keras-exact Adam.</summary>
    public ITrainingOptimizer Optimizer { get; }

    /// <summary>The learning-rate schedule (per step and after each epoch).</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>The running weight average, when the pipeline asks for one.</summary>
    public WeightAverage? Average { get; }

    /// <summary>Balanced class weights of the loss, when the pipeline asks for them.</summary>
    public float[]? ClassWeights { get; }

    /// <summary>Batches in one epoch (the last one may be short).</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>
    /// Trains one epoch and validates it; null (with <paramref name="timedOut"/>) when the budget ran out during the
    /// epoch, whose partial work is then discarded. Dropout, shuffling, augmentation and mixing are seeded from
    /// (seed, epoch), so a resumed run repeats an uninterrupted one. <paramref name="clock"/> is the run's budget, which
    /// the driver carries across resumes.
    /// </summary>
    public EpochRecord? RunEpoch(int epoch, TrainingBudget clock, out bool timedOut)
    {
        timedOut = false;
        var options = Options;
        var epochClock = Stopwatch.StartNew();
        long epochSeed = options.Seed * 100_003L + epoch;
        manual_seed(epochSeed); // dropout
        using var augmentGenerator = new Generator((ulong)epochSeed);
        var order = Enumerable.Range(0, Train.Count).ToArray();
        new Random((int)(epochSeed % int.MaxValue)).Shuffle(order);
        using var orderTensor = tensor(order.Select(i => (long)i).ToArray());
        var mixer = options.Mix is null ? null : new BatchMixer(options.Mix, epochSeed);

        Network.train();
        double lossSum = 0;
        long seen = 0;
        var accuracy = new TrainAccuracy();
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            if (clock.Exhausted)
            {
                timedOut = true;
                return null; // a partial epoch is discarded; the best finished epoch is kept
            }
            using var scope = NewDisposeScope();
            var idx = orderTensor.narrow(0, (long)b * options.BatchSize,
                Math.Min(options.BatchSize, Train.Count - (long)b * options.BatchSize));
            var x = CnnTrainer.Batch(Train, idx, Network.InputChannels, Device);
            var y = Train.Labels.index_select(0, idx).to(Device);
            var targets = Train.Targets.index_select(0, idx).to(Device);
            if (options.Augmentation is { } aug) x = Augmentation.Apply(x, aug, augmentGenerator);
            var mixed = mixer?.Mix(x);
            var input = mixed?.Images ?? x;
            var logits = _bf16?.Forward(input) ?? Network.forward(input);
            var loss = Loss(logits, input, idx, targets, mixed);
            Optimizer.ZeroGrad();
            loss.backward();
            _bf16?.CollectGradients();
            if (options.Sharpness is { } sam)
                SharpnessAwareStep.ReplaceGradients(Network, Optimizer.Parameters, sam.Rho, () => Loss(Network.forward(input), input, idx, targets, mixed));
            Optimizer.Update(Schedule.ForStep(Optimizer.Step));
            Average?.Update(Optimizer.Step);
            long n = y.shape[0];
            lossSum += loss.item<float>() * n;
            accuracy.Add(logits.argmax(1).eq(y).sum().item<long>(), n, mixed is not null);
            seen += n;
            Run.Progress?.Invoke(new TrainingProgress(epoch, options.Epochs, b + 1, BatchesPerEpoch,
                seen / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9), lossSum / seen, accuracy.Value));
        }
        double trainSeconds = epochClock.Elapsed.TotalSeconds;
        var (valLoss, valAccuracy) = Validate();
        double? trainedValAccuracy = null;
        if (Average is not null)
        {
            trainedValAccuracy = valAccuracy;
            using (Average.Applied()) (valLoss, valAccuracy) = Validate();
        }
        if (clock.Exhausted) timedOut = true;
        return new EpochRecord(epoch, lossSum / seen, accuracy.Value, valLoss, valAccuracy,
            Schedule.Current, epochClock.Elapsed.TotalSeconds, seen / trainSeconds, trainedValAccuracy);
    }

    /// <summary>
    /// The batch's training loss: the pipeline's loss on its targets (each mixed pair's, when mixed), blended with the
    /// teachers' when distilling, plus the L2 penalty as Keras adds it.
    /// </summary>
    protected virtual Tensor Loss(Tensor logits, Tensor input, Tensor indices, Tensor targets, MixedBatch? mixed)
    {
        Tensor LossFor(Tensor batchTargets) => Losses.BatchOnTargets(logits, batchTargets, Options.Loss, _classWeights);
        var loss = mixed is { } m ? m.Loss(LossFor, targets) : LossFor(targets);
        if (Options.Distillation is { } kd)
            loss = loss.mul(1 - kd.Weight).add(_teachers.Loss(logits, input, indices, mixed, kd.Temperature).mul(kd.Weight));
        return loss.add(Network.L2Penalty());
    }

    /// <summary>Validation loss and accuracy of the network as it stands.</summary>
    protected virtual (double Loss, double Accuracy) Validate() => CnnTrainer.Evaluate(Network, Validation, Options, Device);

    /// <summary>Releases the teachers, the weight average and the class-weight tensor (not the network, which is the result).</summary>
    public void Dispose()
    {
        _teachers.Dispose();
        Average?.Dispose();
        _classWeights?.Dispose();
        _bf16?.Dispose();
    }
}
