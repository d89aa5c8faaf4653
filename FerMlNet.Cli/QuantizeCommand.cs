using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Training.Onnx;
using FerMlNet.Lifecycle.Runs;
using Google.Protobuf;
using Onnx;
using Spectre.Console;
using FerMlNet.Preprocessing;

namespace FerMlNet.Cli;

/// <summary>
/// `fer quantize MODEL.onnx --data DATASET --out DIR`: a static int8 copy of a model (<see cref="Int8Quantizer"/>) with
/// activation ranges measured on training faces, written as model.onnx and model.zip, and scored on validation.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A float model.onnx (a run's, or a published models/NAME.onnx)." };
        var data = new Option<string>("--data") { Description = "The split dataset the model was trained on: ranges are measured on its train split, the result scored on val.", Required = true };
        var outDir = new Option<string>("--out") { Description = "Folder for model.onnx, model.zip, quantization.json and metrics.json.", Required = true };
        var faces = new Option<int>("--faces") { Description = "Training faces the activation ranges are measured on.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the draw of those faces.", DefaultValueFactory = _ => 1 };
        var force = new Option<bool>("--force") { Description = "Replace a quantized model already in --out." };
        var cmd = new Command("quantize", "Static int8 (QDQ) copy of a model for ONNX Runtime's integer kernels, calibrated on training faces; scored on validation.")
        {
            model, data, outDir, faces, seed, force,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            string source = parse.GetValue(model)!;
            if (!File.Exists(source)) throw new FileNotFoundException($"Model '{source}' does not exist.", source);
            int count = parse.GetValue(faces);
            if (count < 1) throw new UsageException("--faces must be at least 1.");
            ModelProto floatModel;
            try { floatModel = ModelProto.Parser.ParseFrom(InputFile.ReadModel(source)); }
            catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"'{source}' is not an ONNX model: {e.Message}"); }
            var dir = CliData.PrepareReportFolder(parse.GetValue(outDir)!, parse.GetValue(force), "model.onnx", "model.zip", "quantization.json");

            var index = DatasetReader.Read(parse.GetValue(data)!);
            if (!index.IsSplit) throw new DatasetException($"'{parse.GetValue(data)}' is not split; ranges come from its train split only.");
            var decoded = FerCommandLine.WithProgress("Decoding images", report => DecodedDatasetCache.Load(index, progress: report));
            var random = new Random(parse.GetValue(seed));
            var train = decoded.IndicesOf(DatasetSplit.Train).OrderBy(_ => random.Next()).Take(count).ToArray();
            var (quantized, summary) = FerCommandLine.WithProgress("Measuring activation ranges", _ =>
                Int8Quantizer.Quantize(floatModel, train.Select(i => decoded.ImagePixels(i).ToArray()).ToList()));

            var onnxPath = Path.Combine(dir, "model.onnx");
            AtomicFile.WriteAllBytes(onnxPath, quantized.ToByteArray());
            using var transformer = ModelFiles.WriteZip(onnxPath, Path.Combine(dir, "model.zip"));
            var record = new QuantizationRecord(QuantizationRecord.CurrentSchemaVersion, Path.GetFullPath(source), FileHash.Sha256(source),
                DatasetSplit.Train.ToName(), train.Length, parse.GetValue(seed), summary);
            AtomicFile.WriteAllText(Path.Combine(dir, "quantization.json"), JsonSerializer.Serialize(record, ReportJson.IndentedCamelCase));
            // run.json, so `fer publish` can publish the int8 copy: how the source was trained and the quantization on top.
            RunRecord.OfSource(source).Quantized(record).Write(dir);
            var metrics = FerCommandLine.WithProgress("Evaluating (validation)", _ => MlNetEvaluation.Evaluate(transformer, index, DatasetSplit.Val));
            metrics.Write(Path.Combine(dir, "metrics.json"));
            AnsiConsole.MarkupLine($"{summary.QuantizedNodes} Conv/Gemm nodes int8 ({summary.FoldedBatchNorms} BatchNorms folded), ranges from " +
                $"{train.Length:N0} training faces; val accuracy {metrics.Accuracy:P2} on {metrics.Images:N0} images → {Markup.Escape(dir)}");
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
