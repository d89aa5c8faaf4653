namespace FerMlNet.Training.Engine;

/// <summary>What a recipe in the repository's pipelines/ folder is for; each group is a sub-folder of that name.</summary>
public enum PipelineGroup
{
    /// <summary>pipelines/notebook/: the research notebook's models (Model 0 … D, gray and RGB, transfer learning).</summary>
    Notebook,

    /// <summary>pipelines/product/: the recipes of what models/ ships, and of the data tools' fold models.</summary>
    Product,

    /// <summary>pipelines/research/: the measured variants (docs/model-quality.md), kept so every result can be rebuilt.</summary>
    Research,
}

/// <summary>
/// The repository's pipelines/ folder: recipes grouped by <see cref="PipelineGroup"/>, found by name whatever their
/// group, so `fer train vgg-gap`, a model card's rebuild line and a pipeline's <c>"base"</c> never spell the folder.
/// </summary>
public static class PipelineCatalog
{
    /// <summary>The folder, relative to the repository root.</summary>
    public const string Folder = "pipelines";

    /// <summary>The sub-folder of a group ("notebook", "product", "research").</summary>
    public static string FolderName(PipelineGroup group) => group.ToString().ToLowerInvariant();

    /// <summary>The group folders in lookup order.</summary>
    public static IReadOnlyList<string> GroupFolders { get; } = Enum.GetValues<PipelineGroup>().Select(FolderName).ToArray();

    /// <summary>The file of pipeline NAME in the repository around the working folder or the program, or null.</summary>
    public static string? Find(string name) =>
        GroupFolders.Select(group => Core.IO.RepositoryFiles.Find(Path.Combine(Folder, group, name + ".json"))).FirstOrDefault(f => f is not null);

    /// <summary>
    /// The file a pipeline's <c>"base": "NAME"</c> means: NAME.json in the same folder, else in a sibling group folder
    /// (a research variant is based on a product recipe).
    /// </summary>
    public static string BaseFile(string pipelineFile, string name)
    {
        string file = name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? name : name + ".json";
        string folder = Path.GetDirectoryName(Path.GetFullPath(pipelineFile))!;
        string beside = Path.Combine(folder, file);
        if (File.Exists(beside) || !GroupFolders.Contains(Path.GetFileName(folder))) return beside;
        string root = Path.GetDirectoryName(folder)!;
        return GroupFolders.Select(group => Path.Combine(root, group, file)).FirstOrDefault(File.Exists) ?? beside;
    }

    /// <summary>Every pipeline file under a pipelines folder, its group folders included, in ordinal order.</summary>
    public static string[] Files(string pipelinesFolder) =>
        Directory.GetFiles(pipelinesFolder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The pipeline a run folder named runs/NAME comes from, when the repository has pipeline NAME; otherwise null
    /// (`fer train NAME` writes runs/NAME, so a warm start or teacher named that way can say which command trains it).
    /// </summary>
    public static string? OfRunFolder(string run)
    {
        var path = run.Replace('\\', '/').TrimEnd('/');
        if (!path.StartsWith("runs/", StringComparison.Ordinal) || path.Count(c => c == '/') != 1) return null;
        var name = path["runs/".Length..];
        return Find(name) is null ? null : name;
    }

    /// <summary>The pipelines to train, each after the runs it starts from or learns from, each once.</summary>
    public static List<string> TrainOrder(IEnumerable<string> pipelines)
    {
        var order = new List<string>();
        foreach (var p in pipelines) AddWithPrerequisites(p, order);
        return order;
    }

    /// <summary>
    /// Adds a pipeline after the runs it starts from or learns from (initialWeights, distillation teachers named as
    /// runs/NAME), each once, so a rebuild trains them first.
    /// </summary>
    private static void AddWithPrerequisites(string pipeline, List<string> order)
    {
        if (order.Contains(pipeline)) return;
        PipelineOptions options;
        try { options = PipelineOptions.LoadByNameOrPath(pipeline); }
        catch (InvalidDataException) { order.Add(pipeline); return; } // not a pipelines/ name: nothing more to say
        foreach (var name in options.PrerequisiteRuns().Select(p => OfRunFolder(p.Run)).OfType<string>())
            AddWithPrerequisites(name, order);
        order.Add(pipeline);
    }
}
