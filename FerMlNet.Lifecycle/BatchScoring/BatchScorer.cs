using FerMlNet.Scoring;
using System.Globalization;
using System.Text;
using FerMlNet.Preprocessing;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Scoring.FaceDetection;

namespace FerMlNet.Lifecycle.BatchScoring;

/// <summary>Options of <see cref="BatchScorer"/>.</summary>
public sealed class BatchScoreOptions
{
    /// <summary>Find faces in photos first (one row per face). Default: false (one row per image).</summary>
    public bool DetectFaces { get; set; }

    /// <summary>Continue an interrupted run: keep the rows already in the CSV and score only the rest. Default: false.</summary>
    public bool Resume { get; set; }

    /// <summary>Images decoded per ONNX Runtime call. Default: 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Reports (done, total) images.</summary>
    public Action<int, int>? Progress { get; set; }

    /// <summary>
    /// What the CSV is made from besides the input (the model file's SHA-256 and the answering threshold), recorded in
    /// the CSV's run record so <see cref="Resume"/> can refuse to mix answers of two models. Default: null (recorded as
    /// unknown; a resume then only checks the input and the face detection setting).
    /// </summary>
    public ScoreRunModel? Model { get; set; }

    /// <summary>
    /// Resume a CSV that has no run record (one written before records existed): the record is written from this run
    /// and the rows already there are trusted. Default: false (such a CSV is refused).
    /// </summary>
    public bool ResumeWithoutRecord { get; set; }

    /// <summary>
    /// Score only this shard's part of the input (<see cref="ScoreShard"/>); the run record names the shard, and
    /// <see cref="ScoreMerge"/> joins the shards' CSVs. Default: null (the whole input).
    /// </summary>
    public ScoreShard? Shard { get; set; }
}

/// <summary>What a batch run did.</summary>
/// <param name="Images">Input files handled by this run (each has at least one CSV row).</param>
/// <param name="Faces">Faces scored.</param>
/// <param name="Uncertain">Faces answered "uncertain".</param>
/// <param name="Errors">Files that could not be scored (their row's error says why), unsupported formats included.</param>
/// <param name="NoFace">Photos in which no face was found.</param>
/// <param name="Resumed">Files already in the CSV from the interrupted run.</param>
/// <param name="Unsupported">Of <paramref name="Errors"/>, files whose format is not one the decoder reads.</param>
public sealed record BatchScoreSummary(int Images, int Faces, int Uncertain, int Errors, int NoFace, int Resumed, int Unsupported)
{
    /// <summary>Faces on the sad↔neutral boundary (<see cref="EmotionPrediction.IsSadNeutralBoundary"/>).</summary>
    public int SadNeutral { get; init; }

    /// <summary>Of <see cref="SadNeutral"/>, faces answered "uncertain".</summary>
    public int SadNeutralUncertain { get; init; }

    /// <summary>Folders of the input that could not be read (path relative to the input, reason); their files are not in the CSV.</summary>
    public IReadOnlyList<(string Folder, string Reason)> UnreadableFolders { get; init; } = [];
}

/// <summary>
/// Scores a file or a folder (recursively) into the contract's CSV:
/// <c>path,face,x,y,width,height,label,confidence,p_happy,p_neutral,p_sad,p_surprise,error</c>. Each image's rows are
/// written and flushed together; a file that cannot be read gets one row with <c>error</c> set and the job goes on.
/// With <see cref="BatchScoreOptions.Resume"/>, the rows of the last image in the file (possibly cut by a kill) are
/// dropped and every image not yet in the CSV is scored, so each input appears exactly once.
/// </summary>
public static class BatchScorer
{
    /// <summary>
    /// The contract's 13 columns, then <c>mode</c>: how the row's face was found — <c>detected</c> (face detector),
    /// <c>whole</c> (the image itself: no detection asked, or a small image that already is a face crop).
    /// </summary>
    public static readonly string[] Header =
        ["path", "face", "x", "y", "width", "height", "label", "confidence", "p_happy", "p_neutral", "p_sad", "p_surprise", "error", "mode"];

    /// <summary>Runs the job.</summary>
    /// <exception cref="IOException">The CSV exists and <see cref="BatchScoreOptions.Resume"/> is off.</exception>
    public static BatchScoreSummary Run(FerPredictor predictor, string input, string csvPath, BatchScoreOptions options)
    {
        var unreadableFolders = new List<(string Folder, string Reason)>();
        var (root, files) = ListInputs(input, unreadableFolders);
        var record = new ScoreRunRecord
        {
            Input = Path.GetFullPath(input), DetectFaces = options.DetectFaces,
            ModelSha256 = options.Model?.Sha256, Threshold = options.Model?.Threshold, ClassLogOffsets = options.Model?.ClassLogOffsets,
            Shard = options.Shard?.ToString(),
        };
        if (!options.Resume && File.Exists(csvPath))
            throw new IOException($"'{csvPath}' already exists; choose another --out, or --resume to continue it.");
        if (options.Resume && File.Exists(csvPath)) ScoreRunRecord.CheckResume(csvPath, record, options.ResumeWithoutRecord);
        var done = options.Resume ? PrepareResume(csvPath) : [];
        if (Path.GetDirectoryName(Path.GetFullPath(csvPath)) is { } dir) Directory.CreateDirectory(dir);
        record.Write(csvPath);

        var todo = files.Select(f => (Full: f, Rel: FileTree.RelativePath(root, f)))
            .Where(f => !done.Contains(f.Rel) && options.Shard?.Contains(f.Rel) != false).ToList();
        using var writer = new StreamWriter(csvPath, append: true, new UTF8Encoding(false));
        if (writer.BaseStream.Length == 0) writer.Write(Csv.Line(Header) + "\n");
        writer.Flush();
        int faces = 0, uncertain = 0, errors = 0, noFace = 0, processed = 0, unsupported = 0, sadNeutral = 0, sadNeutralUncertain = 0;
        var chunks = todo.Chunk(Math.Max(1, options.BatchSize)).ToList();
        // The next chunk is read and decoded while this one runs through the network, so decoding fills the gaps in
        // ONNX Runtime's threads instead of waiting for them. Nothing is written ahead: a kill loses no CSV row.
        var reading = chunks.Count > 0 ? ReadChunkAsync(predictor, chunks[0], options.DetectFaces) : null;
        for (int c = 0; c < chunks.Count; c++)
        {
            var prepared = reading!.GetAwaiter().GetResult();
            unsupported += prepared.Count(p => p.Error?.StartsWith(UnsupportedFormat, StringComparison.Ordinal) == true);
            reading = c + 1 < chunks.Count ? ReadChunkAsync(predictor, chunks[c + 1], options.DetectFaces) : null;
            var allCrops = prepared.Where(p => p.Error is null).SelectMany(p => p.Crops).ToList();
            var predictions = predictor.PredictBatch(allCrops.Select(c => c.Pixels).ToList(), allCrops.Select(c => c.Face).ToList());
            int next = 0;
            foreach (var (rel, crops, error) in prepared)
            {
                var sb = new StringBuilder();
                if (error is not null) { errors++; sb.Append(ErrorRow(rel, error)); }
                else if (crops.Count == 0) { noFace++; sb.Append(ErrorRow(rel, "no face found")); }
                else
                    for (int f = 0; f < crops.Count; f++, faces++)
                    {
                        var p = predictions[next++];
                        if (p.IsUncertain) uncertain++;
                        if (p.IsSadNeutralBoundary) { sadNeutral++; if (p.IsUncertain) sadNeutralUncertain++; }
                        sb.Append(Row(rel, options.DetectFaces ? f.ToString(CultureInfo.InvariantCulture) : "", p));
                    }
                writer.Write(sb.ToString());
                writer.Flush();
                options.Progress?.Invoke(++processed, todo.Count);
            }
        }
        return new BatchScoreSummary(todo.Count, faces, uncertain, errors, noFace, done.Count, unsupported)
        {
            SadNeutral = sadNeutral,
            SadNeutralUncertain = sadNeutralUncertain,
            UnreadableFolders = unreadableFolders.Select(u => (FileTree.RelativePath(root, u.Folder), u.Reason)).ToList(),
        };
    }

    /// <summary>Reads and decodes one chunk's images in parallel on the thread pool (a bad file gives its reason).</summary>
    private static Task<(string Rel, IReadOnlyList<FaceCrop> Crops, string? Error)[]> ReadChunkAsync(
        FerPredictor predictor, (string Full, string Rel)[] chunk, bool detectFaces) => Task.Run(() =>
    {
        var prepared = new (string Rel, IReadOnlyList<FaceCrop> Crops, string? Error)[chunk.Length];
        Parallel.For(0, chunk.Length, i =>
        {
            var (crops, error) = DatasetReader.IsImageFile(chunk[i].Full)
                ? predictor.ReadFaces(chunk[i].Full, detectFaces)
                : ([], UnsupportedReason(chunk[i].Full));
            prepared[i] = (chunk[i].Rel, crops, error);
        });
        return prepared;
    });

    private static string Row(string path, string face, EmotionPrediction p)
    {
        string F(float v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        var box = p.Face is { } b ? new[] { F(MathF.Round(b.X)), F(MathF.Round(b.Y)), F(MathF.Round(b.Width)), F(MathF.Round(b.Height)) } : ["", "", "", ""];
        return Csv.Line([path, face, .. box, p.Label, F(p.Confidence), .. p.Probabilities.Select(F), "", p.Face is null ? "whole" : "detected"]) + "\n";
    }

    private static string ErrorRow(string path, string error) =>
        Csv.Line([path, "", "", "", "", "", "", "", "", "", "", "", error, ""]) + "\n";

    /// <summary>How the error of a file in a format the decoder does not read begins.</summary>
    public const string UnsupportedFormat = "unsupported format";

    /// <summary>
    /// The error row of a file without a decodable extension: the special-file reason for a pipe or device (never
    /// opened), else "unsupported format (.heic)", naming what the decoder reads.
    /// </summary>
    private static string UnsupportedReason(string path)
    {
        var kind = InputFile.KindOf(path);
        if (kind != InputFileKind.Regular) return InputFile.Describe(kind);
        var extension = Path.GetExtension(path);
        return $"{UnsupportedFormat} ({(extension.Length > 0 ? extension : "no extension")}; readable: " +
               $"{string.Join(" ", DatasetReader.ImageExtensions)})";
    }

    /// <summary>Every file of the input (a file, a folder walked recursively, or a list), with its root for relative paths.</summary>
    internal static (string Root, List<string> Files) ListInputs(string input, List<(string Folder, string Reason)> unreadableFolders)
    {
        if (File.Exists(input) && Path.GetExtension(input).ToLowerInvariant() is ".csv" or ".txt")
        {
            // A list of paths, one per line (a CSV's first column; a "path" header is skipped), relative to the list.
            var listRoot = Path.GetDirectoryName(Path.GetFullPath(input))!;
            var listed = Csv.ReadWritten(new StringReader(InputFile.ReadAllText(input, InputFile.MaxBytes)), input).Select(r => r[0].Trim())
                .Where(p => p.Length > 0 && !p.Equals("path", StringComparison.OrdinalIgnoreCase))
                .Select(p => Path.GetFullPath(Path.Combine(listRoot, p))).Distinct().ToList();
            return (listRoot, listed);
        }
        if (File.Exists(input)) return (Path.GetDirectoryName(Path.GetFullPath(input))!, [Path.GetFullPath(input)]);
        if (!Directory.Exists(input)) throw new FileNotFoundException($"Input '{input}' does not exist.");
        var root = Path.GetFullPath(input);
        return (root, FileTree.Files(root, unreadableFolders));
    }


    /// <summary>
    /// Paths already complete in an interrupted CSV. The file is rewritten (atomically) without a last line cut by the
    /// kill and without the last image's rows, which may be incomplete, so that image is scored again. Streams: an
    /// image's rows are written together, so only one image's rows are held at a time.
    /// </summary>
    private static HashSet<string> PrepareResume(string csvPath)
    {
        if (!File.Exists(csvPath)) return [];
        InputFile.ThrowIfSpecial(csvPath);
        var done = new HashSet<string>(StringComparer.Ordinal);
        AtomicFile.Write(csvPath, output =>
        {
            using var reader = new StreamReader(csvPath, new UTF8Encoding(false));
            using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
            using var rows = Csv.ReadWritten(reader, csvPath, completeOnly: true).GetEnumerator();
            if (!rows.MoveNext() || !rows.Current.SequenceEqual(Header))
                throw new InvalidDataException($"'{csvPath}' is not a score CSV of this version (header differs); cannot --resume it.");
            writer.Write(Csv.Line(Header) + "\n");
            var image = new List<string[]>();
            while (rows.MoveNext())
            {
                if (image.Count > 0 && image[0][0] != rows.Current[0])
                {
                    foreach (var row in image) writer.Write(Csv.Line(row) + "\n");
                    done.Add(image[0][0]);
                    image.Clear();
                }
                image.Add(rows.Current);
            }
        });
        return done;
    }
}
