using FerMlNet.Training.Engine;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;

namespace FerMlNet.Tests;

/// <summary>
/// A small real model trained once for the scoring tests: the "fast" network, 3 epochs on 150 faces per class, written
/// as model.onnx and model.zip exactly as `fer train` writes them. Not a good model — a real one.
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    private readonly TempDir _dir = TestData.NewTempDir();

    public TrainedModelFixture()
    {
        using var train = TrainingTestData.Load("train", 150);
        using var validation = TrainingTestData.Load("validation", 20);
        var options = new PipelineOptions { Name = "test-fast", Architecture = "fast", Epochs = 3, BatchSize = 32, BatchNormMomentum = 0.9, LearningRate = 0.002 };
        var result = CnnTrainer.Train(options, train, validation);
        using var network = result.Network;
        ModelFiles.Write(network, OnnxPath, ZipPath, new Dictionary<string, string> { ["fermlnet.pipeline"] = "test-fast" });
    }

    public string OnnxPath => Path.Combine(_dir.Path, "model.onnx");

    public string ZipPath => Path.Combine(_dir.Path, "model.zip");

    public void Dispose() => _dir.Dispose();
}
