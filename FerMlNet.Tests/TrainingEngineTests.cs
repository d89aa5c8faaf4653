using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using FerMlNet.Training.Models;
using FerMlNet.Training.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace FerMlNet.Tests;

// TorchSharp's RNG is process-global: tests that seed it must not run alongside each other.
[Collection(TorchCollection.Name)]
public class TrainingEngineTests
{
    private static PipelineOptions Tiny(string architecture = "model-0", int epochs = 2) => new()
    {
        Name = "tiny",
        Architecture = architecture,
        Epochs = epochs,
        BatchSize = 32,
        L2 = architecture == "model-0" ? 0 : 1e-4,
        Augmentation = new AugmentationOptions(),
        Loss = new LossOptions { Type = LossType.Focal, LabelSmoothing = 0.1 },
        Schedule = new ScheduleOptions { Type = ScheduleType.Cosine, Alpha = 0.02 },
        EarlyStopping = new EarlyStoppingOptions { Patience = 5 },
    };

    /// <summary>model-0 for a fixed number of epochs (no early stopping), as the resume tests compare runs.</summary>
    private static PipelineOptions EveryEpoch(int epochs)
    {
        var options = Tiny("model-0", epochs);
        options.EarlyStopping = null;
        return options;
    }

    private static void AssertSameWeights(FerNet expected, FerNet actual, string when)
    {
        var b = actual.state_dict();
        foreach (var (name, t) in expected.state_dict())
            Assert.True(t.eq(b[name]).all().item<bool>(), $"tensor {name} differs {when}");
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void OnnxExportMatchesTorchSharpOnRealImages()
    {
        using var train = TrainingTestData.Load("train", 16);
        using var val = TrainingTestData.Load("validation", 8);
        foreach (var arch in new[] { "model-0", "rgb", "vgg-se-res", "vgg-gap-64" })
        {
            var result = CnnTrainer.Train(Tiny(arch, 1), train, val);
            var path = Path.Combine(Path.GetTempPath(), $"fer-export-{Guid.NewGuid():N}.onnx");
            try
            {
                OnnxExporter.Save(result.Network, path);
                var (pixels, _) = TrainingTestData.Decode("test", 8);
                int n = pixels.Length / PreprocessingContract.PixelCount;
                var input = pixels.Select(b => b / 255f).ToArray();
                float[] expected;
                using (no_grad())
                using (var x = tensor(input, [n, 1, 48, 48]))
                using (var xc = arch == "rgb" ? x.expand(-1, 3, -1, -1).contiguous() : x.alias())
                using (var probs = result.Network.forward(xc).softmax(1))
                    expected = probs.data<float>().ToArray();
                using var session = new InferenceSession(path);
                using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName,
                    new DenseTensor<float>(input, [n, 1, 48, 48]))]);
                var actual = outputs.First(o => o.Name == OnnxExporter.ProbabilitiesName).AsEnumerable<float>().ToArray();
                Assert.Equal(expected.Length, actual.Length);
                float maxDiff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
                Assert.True(maxDiff < 1e-5f, $"{arch}: max |ONNX − TorchSharp| = {maxDiff}");
                var labels = outputs.First(o => o.Name == OnnxExporter.LabelName).AsEnumerable<long>().ToArray();
                for (int i = 0; i < n; i++)
                    Assert.Equal(Enumerable.Range(0, 4).MaxBy(c => actual[i * 4 + c]), (int)labels[i]);
            }
            finally
            {
                File.Delete(path);
                result.Network.Dispose();
            }
        }
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void ResumeAfterAnInterruptionGivesTheSameWeightsAsAnUninterruptedRun()
    {
        using var train = TrainingTestData.Load("train", 24);
        using var val = TrainingTestData.Load("validation", 8);
        using var dirA = TestData.NewTempDir();
        using var dirB = TestData.NewTempDir();
        var options = EveryEpoch(3);

        var straight = CnnTrainer.Train(options, train, val, new TrainerRunOptions { CheckpointDirectory = dirA.Path });
        // "Killed" after the first epoch, then resumed twice (one epoch each, then to the end).
        CnnTrainer.Train(options, train, val, new TrainerRunOptions { CheckpointDirectory = dirB.Path, StopAfterEpochs = 1 }).Network.Dispose();
        CnnTrainer.Train(options, train, val, new TrainerRunOptions { CheckpointDirectory = dirB.Path, Resume = true, StopAfterEpochs = 1 }).Network.Dispose();
        var resumed = CnnTrainer.Train(options, train, val, new TrainerRunOptions { CheckpointDirectory = dirB.Path, Resume = true });

        Assert.Equal(3, resumed.State.EpochsDone);
        Assert.Equal(straight.State.History.Select(h => h.ValLoss), resumed.State.History.Select(h => h.ValLoss));
        AssertSameWeights(straight.Network, resumed.Network, "after resume");
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void AWeightAverageKeepsTheTrainingTrajectoryAndIsWhatValidationAndTheKeptModelUse()
    {
        using var train = TrainingTestData.Load("train", 24);
        using var val = TrainingTestData.Load("validation", 8);
        using var dirA = TestData.NewTempDir();
        using var dirB = TestData.NewTempDir();
        var plainOptions = EveryEpoch(3);
        var options = EveryEpoch(3);
        options.WeightAverage = new WeightAverageOptions { Decay = 0.9 };

        var plain = CnnTrainer.Train(plainOptions, train, val);
        plain.Network.Dispose();
        var plainHistory = plain.State.History;
        var averaged = CnnTrainer.Train(options, train, val, new TrainerRunOptions { CheckpointDirectory = dirA.Path });

        // Training is untouched: the trained weights validate exactly as the plain run's did, epoch by epoch.
        Assert.Equal(plainHistory.Select(h => (double?)h.ValAccuracy), averaged.State.History.Select(h => h.TrainedValAccuracy));
        Assert.All(plainHistory, h => Assert.Null(h.TrainedValAccuracy));
        // The recorded validation numbers are another network's (the average's), and the kept model is that network.
        Assert.NotEqual(plainHistory.Select(h => h.ValLoss), averaged.State.History.Select(h => h.ValLoss));
        var best = averaged.State.History[averaged.State.BestEpoch - 1];
        Assert.Equal(best.ValLoss, CnnTrainer.Evaluate(averaged.Network, val, options, CPU).Loss, 1e-6);

        // The average is checkpointed: a run killed after epoch 1 and resumed ends with the same kept weights.
        CnnTrainer.Train(options, train, val, new TrainerRunOptions { CheckpointDirectory = dirB.Path, StopAfterEpochs = 1 }).Network.Dispose();
        using var resumed = CnnTrainer.Train(options, train, val, new TrainerRunOptions { CheckpointDirectory = dirB.Path, Resume = true }).Network;
        AssertSameWeights(averaged.Network, resumed, "after resume");
        averaged.Network.Dispose();

        // A checkpoint without an average cannot silently continue as one.
        using var dirC = TestData.NewTempDir();
        CnnTrainer.Train(plainOptions, train, val, new TrainerRunOptions { CheckpointDirectory = dirC.Path, StopAfterEpochs = 1 }).Network.Dispose();
        Assert.Throws<InvalidDataException>(() =>
            CnnTrainer.Train(options, train, val, new TrainerRunOptions { CheckpointDirectory = dirC.Path, Resume = true }));
    }

    [Fact]
    public void WeightAverageFollowsTheRampedDecay()
    {
        using var network = ModelZoo.Create("model-0");
        using (no_grad()) foreach (var (_, t) in network.state_dict()) if (t.is_floating_point()) t.fill_(0);
        using var average = new WeightAverage(network, new WeightAverageOptions { Decay = 0.9 });
        using (no_grad()) foreach (var (_, t) in network.state_dict()) if (t.is_floating_point()) t.fill_(1);

        average.Update(1);   // decay min(0.9, 2/11): the start fades fast
        double afterFirst = 1 - 2.0 / 11;
        average.Update(100); // decay 0.9 from here on
        double expected = 0.9 * afterFirst + 0.1;
        using (average.Applied())
            foreach (var (name, t) in network.state_dict().Where(kv => kv.Value.is_floating_point()))
                Assert.True(t.allclose(full_like(t, expected), rtol: 1e-5, atol: 1e-6), $"{name} is not the average");
        foreach (var (_, t) in network.state_dict().Where(kv => kv.Value.is_floating_point()))
            Assert.True(t.eq(1).all().item<bool>(), "the trained weights came back after Applied()");
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void SharpnessAwareStepTakesTheGradientAtTheAscentPointAndPutsTheWeightsBack()
    {
        using var network = ModelZoo.Create("model-a");
        network.train();
        // Dropout off, BatchNorm on batch statistics: every pass is the same function of the weights, whatever else
        // draws from libtorch's generator meanwhile.
        var dropouts = network.modules().OfType<TorchSharp.Modules.Dropout>().ToList();
        Assert.NotEmpty(dropouts);
        foreach (var dropout in dropouts) dropout.eval();
        IReadOnlyList<(string Name, TorchSharp.torch.Tensor Parameter)> parameters =
            network.named_parameters().Select(p => (p.name, (TorchSharp.torch.Tensor)p.parameter)).ToList();
        var adam = new KerasAdam(parameters);
        manual_seed(3);
        using var x = rand(8, 1, 48, 48);
        using var y = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 });
        TorchSharp.torch.Tensor Loss() => nn.functional.cross_entropy(network.forward(x), y);
        var before = network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

        // Expected: the gradient at w + ρ·g/‖g‖, taken by hand.
        const double rho = 0.05;
        adam.ZeroGrad();
        Loss().backward();
        var g = parameters.Select(p => p.Parameter.grad!.detach().clone()).ToList();
        double norm = stack(g.Select(t => t.norm()).ToArray()).norm().item<float>();
        using (no_grad()) for (int i = 0; i < g.Count; i++) parameters[i].Parameter.add_(g[i].mul(rho / norm));
        adam.ZeroGrad();
        Loss().backward();
        var expected = parameters.Select(p => p.Parameter.grad!.detach().clone()).ToList();
        using (no_grad()) foreach (var (name, t) in network.state_dict()) t.copy_(before[name]);

        adam.ZeroGrad();
        Loss().backward();
        var afterFirstPass = network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone()); // its BatchNorm statistics count the batch once
        SharpnessAwareStep.ReplaceGradients(network, parameters, rho, Loss);
        for (int i = 0; i < g.Count; i++)
        {
            var actual = parameters[i].Parameter.grad!;
            Assert.True(actual.allclose(expected[i], rtol: 1e-3, atol: 1e-6), $"{parameters[i].Name}: not the ascent point's gradient");
            Assert.False(actual.allclose(g[i], rtol: 1e-3, atol: 1e-6) && g[i].abs().max().item<float>() > 1e-4,
                $"{parameters[i].Name}: still the plain gradient");
        }
        foreach (var (name, t) in network.state_dict())
            Assert.True(t.allclose(afterFirstPass[name], rtol: 0, atol: 1e-6), $"{name} was not put back (weights and BatchNorm statistics)");
    }

    [Fact]
    public void CheckpointOfAnotherArchitectureIsRefusedWithAClearMessage()
    {
        using var train = TrainingTestData.Load("train", 8);
        using var val = TrainingTestData.Load("validation", 4);
        using var dir = TestData.NewTempDir();
        CnnTrainer.Train(Tiny("model-0", 1), train, val, new TrainerRunOptions { CheckpointDirectory = dir.Path }).Network.Dispose();
        var e = Assert.Throws<InvalidDataException>(() =>
            CnnTrainer.Train(Tiny("model-d", 1), train, val, new TrainerRunOptions { CheckpointDirectory = dir.Path, Resume = true }));
        Assert.Contains("model-0", e.Message);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void InitialWeightsStartARunFromAnotherRunsBestWeights()
    {
        using var train = TrainingTestData.Load("train", 8);
        using var val = TrainingTestData.Load("validation", 4);
        using var dir = TestData.NewTempDir();
        var source = CnnTrainer.Train(Tiny("model-0", 2), train, val, new TrainerRunOptions { CheckpointDirectory = dir.Path });
        using var fresh = ModelZoo.Create("model-0");
        Checkpoint.LoadBestWeights(Path.Combine(dir.Path, "checkpoint.bin"), fresh.state_dict());
        var expected = source.Network.state_dict();
        foreach (var (name, t) in fresh.state_dict())
            Assert.True(t.eq(expected[name]).all().item<bool>(), $"tensor {name} was not loaded from the best weights");

        var wrong = Tiny("model-d", 1);
        wrong.InitialWeights = dir.Path;
        var e = Assert.Throws<InvalidDataException>(() => CnnTrainer.Train(wrong, train, val));
        Assert.Contains("initialWeights", e.Message);
        Assert.Contains("checkpoint.bin", e.Message);
        var missing = Tiny("model-0", 1);
        missing.InitialWeights = dir.Combine("no-such-run");
        Assert.Contains("does not exist", Assert.Throws<InvalidDataException>(() => CnnTrainer.Train(missing, train, val)).Message);
        source.Network.Dispose();
    }

    [Fact]
    public void PublishedRebuildTrainsTheRunAWarmStartBeginsFromFirst()
    {
        Assert.Equal(["vgg-gap", "vgg-gap-restart-cutmix"], PipelineCatalog.TrainOrder(["vgg-gap-restart-cutmix"]));
        Assert.Equal(["vgg-gap", "vgg-gap-restart", "vgg-gap-restart-cutmix"],
            PipelineCatalog.TrainOrder(["vgg-gap", "vgg-gap-restart", "vgg-gap-restart-cutmix"]));
        Assert.Equal(["not-a-pipeline"], PipelineCatalog.TrainOrder(["not-a-pipeline"]));
    }

    [Fact]
    public void GeneralisedCrossEntropyFollowsItsFormulaAndBoundsAContradictedLabel()
    {
        using var logits = tensor(new float[] { 3, 0, 0, 0, 0, 0, 0, 3 }).view(2, 4);
        using var labels = tensor(new long[] { 0, 0 }); // the second face is confidently "surprise" but labelled happy
        var gce = new LossOptions { Type = LossType.GeneralizedCrossEntropy, Q = 0.7 };
        using var loss = Losses.PerSample(logits, labels, gce);
        double pRight = Math.Exp(3) / (Math.Exp(3) + 3), pWrong = 1 / (Math.Exp(3) + 3);
        Assert.Equal((1 - Math.Pow(pRight, 0.7)) / 0.7, loss[0].item<float>(), 1e-5);
        Assert.Equal((1 - Math.Pow(pWrong, 0.7)) / 0.7, loss[1].item<float>(), 1e-5);
        // Cross-entropy grows without bound on the contradicted face; GCE stays below 1/q.
        using var ce = Losses.PerSample(logits, labels, new LossOptions());
        Assert.True(ce[1].item<float>() > 3);
        Assert.True(loss[1].item<float>() < 1 / 0.7);
        Assert.Contains("loss.q", Assert.Throws<InvalidDataException>(() =>
            new PipelineOptions { Loss = new LossOptions { Type = LossType.GeneralizedCrossEntropy, Q = 0 } }.Validate()).Message);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void DistillationAddsTheTeachersKlTermToTheLoss()
    {
        // T²·KL(p‖q) by hand for one row: teacher logits [2, 0, 0, 0], student [0, 0, 0, 0], T = 2.
        using var teacherLogits = tensor(new float[] { 2, 0, 0, 0 }).view(1, 4);
        using var studentLogits = zeros(1, 4);
        var p = new[] { Math.Exp(1), 1, 1, 1 }.Select(v => v / (Math.Exp(1) + 3)).ToArray();
        double expected = 4 * p.Sum(pi => pi * Math.Log(pi / 0.25));
        using (var kd = Losses.Distillation(studentLogits, teacherLogits, 2))
            Assert.Equal(expected, kd.item<float>(), 1e-5);
        using (var same = Losses.Distillation(teacherLogits, teacherLogits, 2))
            Assert.Equal(0, same.item<float>(), 1e-6);

        using var train = TrainingTestData.Load("train", 8);
        using var val = TrainingTestData.Load("validation", 4);
        using var teacherRun = TestData.NewTempDir();
        CnnTrainer.Train(Tiny("model-0", 2), train, val, new TrainerRunOptions { CheckpointDirectory = teacherRun.Path }).Network.Dispose();
        var plain = CnnTrainer.Train(Tiny("model-0", 1), train, val);
        var distilledOptions = Tiny("model-0", 1);
        distilledOptions.Distillation = new DistillationOptions { Teachers = [teacherRun.Path], Weight = 0.5, Temperature = 2 };
        var distilled = CnnTrainer.Train(distilledOptions, train, val);
        // Same seed, data and first forward pass; only the loss differs.
        Assert.NotEqual(plain.State.History[0].Loss, distilled.State.History[0].Loss);
        plain.Network.Dispose();
        distilled.Network.Dispose();

        distilledOptions.Distillation.Teachers = [teacherRun.Combine("missing-run")];
        var e = Assert.Throws<InvalidDataException>(() => CnnTrainer.Train(distilledOptions, train, val));
        Assert.Contains("missing-run", e.Message);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void DistillingFromAPublishedModelLearnsItsAnswerForEachTrainingFace()
    {
        using var train = TrainingTestData.Load("train", 8);
        using var val = TrainingTestData.Load("validation", 4);
        var model = WebTestData.DefaultModel;
        using var teacher = TeacherEnsemble.OfPublishedModel(model, train, CPU);

        // The cache holds the shipped model's own answers (ONNX Runtime, preprocessing contract) as log-probabilities:
        // a student that answers exactly that has nothing left to learn; a blank student pays KL(teacher ‖ uniform).
        using var predictor = FerMlNet.Scoring.FerPredictor.Load(model);
        var pixels = train.Images.contiguous().data<byte>().ToArray();
        var answers = predictor.PredictBatch(Enumerable.Range(0, train.Count)
            .Select(i => pixels.AsSpan(i * PreprocessingContract.PixelCount, PreprocessingContract.PixelCount).ToArray()).ToList());
        using var rows = tensor(new long[] { 5, 2, 7 });
        var rowList = new[] { 5, 2, 7 };
        using var own = tensor(rowList.SelectMany(r => answers[r].Probabilities.Select(p => MathF.Log(p))).ToArray()).view(3, 4);
        using var image = zeros(3, 1, 48, 48);
        using (var none = teacher.Loss(own, image, rows, null, 2))
            Assert.Equal(0, none.item<float>(), 1e-4);
        using var blank = zeros(3, 4);
        using (var kd = teacher.Loss(blank, image, rows, null, 2))
        using (var byHand = Losses.Distillation(blank, own, 2))
            Assert.Equal(byHand.item<float>(), kd.item<float>(), 1e-4);

        // A mixed batch learns each face's answer in the blend's proportion: row i blended with row partners[i].
        using var partners = tensor(new long[] { 1, 2, 0 });
        var mixed = new MixedBatch(image, partners, 0.7);
        using var swapped = own.index_select(0, partners);
        using (var kd = teacher.Loss(blank, image, rows, mixed, 2))
        using (var a = Losses.Distillation(blank, own, 2))
        using (var b = Losses.Distillation(blank, swapped, 2))
            Assert.Equal(0.7 * a.item<float>() + 0.3 * b.item<float>(), kd.item<float>(), 1e-4);

        // In training it changes the loss and nothing else of the first pass (same seed, data and forward pass).
        var plain = CnnTrainer.Train(Tiny("model-0", 1), train, val);
        var options = Tiny("model-0", 1);
        options.Distillation = new DistillationOptions { TeacherModel = model };
        var distilled = CnnTrainer.Train(options, train, val);
        Assert.NotEqual(plain.State.History[0].Loss, distilled.State.History[0].Loss);
        plain.Network.Dispose();
        distilled.Network.Dispose();

        options.Distillation.Teachers = ["runs/vgg-gap"];
        Assert.Contains("not both", Assert.Throws<InvalidDataException>(() => options.Validate()).Message);
        options.Distillation = new DistillationOptions { TeacherModel = Path.Combine(TestData.RepoRoot, "models", "missing.onnx") };
        Assert.Contains("missing.onnx", Assert.Throws<FileNotFoundException>(() => CnnTrainer.Train(options, train, val)).Message);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void AResumedRunKeepsSpendingTheBudgetItsEarlierSessionsStarted()
    {
        using var train = TrainingTestData.Load("train", 16);
        using var val = TrainingTestData.Load("validation", 4);
        using var dir = TestData.NewTempDir();
        var options = Tiny("model-0", 3);
        options.EarlyStopping = null;
        var first = CnnTrainer.Train(options, train, val, new TrainerRunOptions { CheckpointDirectory = dir.Path, StopAfterEpochs = 2, CountCpuMinutes = true });
        first.Network.Dispose();
        double spent = Checkpoint.ReadState(Path.Combine(dir.Path, Checkpoint.FileName)).BudgetMinutesSpent;
        Assert.True(spent > 0, "the checkpoint records the minutes spent");

        // A budget of exactly what two epochs cost is used up on resume: epoch 3 would fit in a fresh budget, not here.
        var resumed = CnnTrainer.Train(options, train, val, new TrainerRunOptions
            { CheckpointDirectory = dir.Path, Resume = true, MaxMinutes = spent, CountCpuMinutes = true });
        Assert.Equal(2, resumed.State.EpochsDone);
        Assert.Contains("reached during epoch 3", resumed.State.StopReason);
        resumed.Network.Dispose();
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void ABudgetSpentBeforeTheFirstEpochTrainsNothingAndSaysWhichClockRanOut()
    {
        using var train = TrainingTestData.Load("train", 8);
        using var val = TrainingTestData.Load("validation", 4);
        var wall = CnnTrainer.Train(Tiny("model-0", 2), train, val, new TrainerRunOptions { MaxMinutes = 1e-9 });
        Assert.Empty(wall.State.History);
        Assert.Equal("--max-minutes 1E-09 reached during epoch 1", wall.State.StopReason);
        var cpu = CnnTrainer.Train(Tiny("model-0", 2), train, val, new TrainerRunOptions { MaxMinutes = 1e-9, CountCpuMinutes = true });
        Assert.Empty(cpu.State.History);
        Assert.Contains("CPU minutes", cpu.State.StopReason);
        // A CPU budget larger than the run's work lets it finish however long the wall clock takes.
        var enough = CnnTrainer.Train(Tiny("model-0", 1), train, val, new TrainerRunOptions { MaxMinutes = 60, CountCpuMinutes = true });
        Assert.Equal("completed 1 epochs", enough.State.StopReason);
        foreach (var r in new[] { wall, cpu, enough }) r.Network.Dispose();

        // The CLI writes no model of untrained weights: a usage error naming the run folder.
        using var data = TestData.NewTempDir();
        using var work = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 4, ("train", "train"), ("validation", "validation"));
        var runDir = work.Combine("run");
        var cli = CliProcess.Run("train", "model-0", "--data", data.Path, "--out", runDir, "--max-minutes", "0.000001");
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("before the first epoch finished", cli.Stderr);
        Assert.Contains(runDir, cli.Stderr);
        Assert.False(File.Exists(Path.Combine(runDir, "model.zip")));
    }

    [Fact]
    public void EmptySplitsAndMissingClassesAreClearErrors()
    {
        using var val = TrainingTestData.Load("validation", 4);
        using var empty = new TrainingData([], []);
        Assert.Contains("training split is empty", Assert.Throws<InvalidDataException>(() => CnnTrainer.Train(Tiny(), empty, val)).Message);
        var (p, l) = TrainingTestData.Decode("train", 4);
        using var noSurprise = new TrainingData(p[..(12 * PreprocessingContract.PixelCount)], l[..12]);
        Assert.Contains("'surprise'", Assert.Throws<InvalidDataException>(() => CnnTrainer.Train(Tiny(), noSurprise, val)).Message);
    }

    [Fact]
    public void PipelineFilesWithTyposOrWrongValuesNameTheKey()
    {
        using var dir = TestData.NewTempDir();
        var typo = dir.Combine("typo.json");
        File.WriteAllText(typo, """{ "architecture": "model-a", "learningRat": 0.001 }""");
        Assert.Contains("learningRat", Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(typo)).Message);
        var nested = dir.Combine("nested.json");
        File.WriteAllText(nested, """{ "loss": { "type": "focal", "gama": 2 } }""");
        Assert.Contains("gama", Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(nested)).Message);
        var wrong = dir.Combine("wrong.json");
        File.WriteAllText(wrong, """{ "architecture": "resnet152" }""");
        Assert.Contains("'architecture'", Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(wrong)).Message);
        var badType = dir.Combine("badtype.json");
        File.WriteAllText(badType, """{ "epochs": "many" }""");
        Assert.Contains("epochs", Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(badType)).Message);
        var range = dir.Combine("range.json");
        File.WriteAllText(range, """{ "augmentation": { "detail": 5 } }""");
        Assert.Contains("augmentation.detail", Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(range)).Message);
        File.WriteAllText(range, """{ "weightAverage": { "decay": 1 } }""");
        Assert.Contains("weightAverage.decay", Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(range)).Message);
        File.WriteAllText(range, """{ "sharpness": { "rho": 0 } }""");
        Assert.Contains("sharpness.rho", Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(range)).Message);
        foreach (var file in PipelineCatalog.Files(Path.Combine(TestData.RepoRoot, PipelineCatalog.Folder)))
            PipelineOptions.Load(file); // every shipped pipeline is valid

        // A variant names its base and sets only what differs; a key it sets replaces the base's whole.
        File.WriteAllText(dir.Combine("parent.json"), """{ "name": "parent", "architecture": "vgg-gap", "epochs": 28, "augmentation": { "translate": 0.1, "erasing": 0.25 } }""");
        File.WriteAllText(dir.Combine("child.json"), """{ "name": "child", "base": "parent", "epochs": 60, "augmentation": { "erasing": 0.5 } }""");
        var child = PipelineOptions.Load(dir.Combine("child.json"));
        Assert.Equal(("child", "vgg-gap", 60), (child.Name, child.Architecture, child.Epochs));
        Assert.Equal((0.0, 0.5), (child.Augmentation!.Translate, child.Augmentation.Erasing)); // replaced, not merged
        // pipelines/ is grouped (notebook, product, research); names are unique across groups and resolve from any of
        // them, and a research variant's base may sit in product/.
        var shippedFiles = PipelineCatalog.Files(Path.Combine(TestData.RepoRoot, PipelineCatalog.Folder));
        Assert.All(shippedFiles, f => Assert.Contains(Path.GetFileName(Path.GetDirectoryName(f)), PipelineCatalog.GroupFolders));
        Assert.Equal(shippedFiles.Length, shippedFiles.Select(Path.GetFileName).Distinct().Count());
        Assert.Equal(("model-0", "notebook"), (PipelineOptions.LoadByNameOrPath("model-0").Name, Path.GetFileName(Path.GetDirectoryName(PipelineCatalog.Find("model-0")))));
        var research = PipelineOptions.LoadByNameOrPath("vgg-gap-votes-seed13"); // research/ → product/vgg-gap-votes → product/vgg-gap
        Assert.Equal(("vgg-gap", 13, 16), (research.Architecture, research.Seed, research.Epochs));
        var shipped = PipelineOptions.LoadByNameOrPath("vgg-gap-long-mixup-seed7"); // → vgg-gap-long-mixup → vgg-gap-long → vgg-gap
        Assert.Equal(("vgg-gap", 60, 7, MixType.Mixup, 0.25), (shipped.Architecture, shipped.Epochs, shipped.Seed, shipped.Mix!.Type, shipped.Augmentation!.Erasing));
        File.WriteAllText(dir.Combine("loop-a.json"), """{ "name": "a", "base": "loop-b" }""");
        File.WriteAllText(dir.Combine("loop-b.json"), """{ "name": "b", "base": "loop-a" }""");
        Assert.Contains("'base' loops (loop-a.json → loop-b.json → loop-a.json)",
            Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(dir.Combine("loop-a.json"))).Message);
        File.WriteAllText(dir.Combine("orphan.json"), """{ "name": "orphan", "base": "nowhere" }""");
        Assert.Contains("its 'base' 'nowhere' has no file", Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(dir.Combine("orphan.json"))).Message);
        File.WriteAllText(dir.Combine("nameless.json"), """{ "base": "parent", "epochs": 3 }""");
        Assert.Contains("must set its own 'name'", Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(dir.Combine("nameless.json"))).Message);
    }

    [Fact]
    public void CosineScheduleAndBalancedWeightsFollowTheNotebookFormulas()
    {
        var schedule = new LearningRateSchedule(new ScheduleOptions { Type = ScheduleType.Cosine, Alpha = 0.02 }, 0.0005, 20_550);
        Assert.Equal(0.0005, schedule.ForStep(0), 12);
        Assert.Equal(0.0005 * 0.02, schedule.ForStep(20_550), 12);
        Assert.Equal(0.0005 * 0.02, schedule.ForStep(30_000), 12);
        var weights = Losses.BalancedClassWeights([.. Enumerable.Repeat(0, 3976), .. Enumerable.Repeat(1, 3978),
            .. Enumerable.Repeat(2, 3982), .. Enumerable.Repeat(3, 3173)]);
        Assert.Equal([0.950f, 0.950f, 0.949f, 1.190f], weights.Select(w => MathF.Round(w, 3)));
    }
}
