using System.Reflection;
using System.Xml.Linq;

namespace FerMlNet.Tests;

/// <summary>
/// The dependency rules of docs/architecture.md, checked on the project files and on the built assemblies: a
/// reference that goes the wrong way (the embedding library reaching for TorchSharp, the data side reaching for the
/// trainer) fails here instead of surfacing as a heavier package or a cycle later.
/// </summary>
public class ArchitectureTests
{
    /// <summary>Which product project may reference which (docs/architecture.md, "Which project may use which").</summary>
    private static readonly Dictionary<string, string[]> AllowedProjectReferences = new()
    {
        ["FerMlNet.Preprocessing"] = [],
        ["FerMlNet.Scoring"] = ["FerMlNet.Preprocessing"],
        ["FerMlNet.Core"] = ["FerMlNet.Preprocessing"],
        ["FerMlNet.Web"] = ["FerMlNet.Core", "FerMlNet.Scoring"],
        ["FerMlNet.Training"] = ["FerMlNet.Core", "FerMlNet.Scoring"],
        ["FerMlNet.Lifecycle"] = ["FerMlNet.Core", "FerMlNet.Scoring", "FerMlNet.Training"],
        ["FerMlNet.Cli"] = ["FerMlNet.Core", "FerMlNet.Scoring", "FerMlNet.Training", "FerMlNet.Lifecycle", "FerMlNet.Web"],
        ["FerMlNet.Benchmarks"] = ["FerMlNet.Scoring", "FerMlNet.Training"],
    };

    /// <summary>Assemblies a library must never load: the training engine, the CLI and the hosts' frameworks.</summary>
    private static readonly Dictionary<string, string[]> ForbiddenAssemblies = new()
    {
        ["FerMlNet.Preprocessing"] = ["FerMlNet.Scoring", "FerMlNet.Core", "FerMlNet.Training", "FerMlNet.Lifecycle", "fer", "FerMlNet.Web", "TorchSharp", "Microsoft.ML.OnnxRuntime"],
        ["FerMlNet.Scoring"] = ["FerMlNet.Core", "FerMlNet.Training", "FerMlNet.Lifecycle", "fer", "FerMlNet.Web", "TorchSharp", "Microsoft.AspNetCore", "Spectre.Console", "System.CommandLine"],
        ["FerMlNet.Core"] = ["FerMlNet.Scoring", "FerMlNet.Training", "FerMlNet.Lifecycle", "fer", "FerMlNet.Web", "TorchSharp", "Microsoft.ML.OnnxRuntime"],
        ["FerMlNet.Web"] = ["FerMlNet.Training", "FerMlNet.Lifecycle", "fer", "TorchSharp"],
        // The engine never reaches up for the lifecycle that drives it.
        ["FerMlNet.Training"] = ["FerMlNet.Lifecycle", "fer", "FerMlNet.Web", "Microsoft.AspNetCore", "Spectre.Console", "System.CommandLine"],
        ["FerMlNet.Lifecycle"] = ["fer", "FerMlNet.Web", "Microsoft.AspNetCore", "Spectre.Console", "System.CommandLine"],
    };

    public static TheoryData<string> ProductProjects() => new(AllowedProjectReferences.Keys);

    [Theory]
    [MemberData(nameof(ProductProjects))]
    public void AProjectReferencesOnlyTheProjectsItsLayerAllows(string project)
    {
        var referenced = ProjectReferences(project);
        var allowed = AllowedProjectReferences[project];
        var wrongWay = referenced.Except(allowed).ToArray();
        Assert.True(wrongWay.Length == 0,
            $"{project} references {string.Join(", ", wrongWay)}, which docs/architecture.md does not allow " +
            $"(allowed: {(allowed.Length > 0 ? string.Join(", ", allowed) : "none")}).");
    }

    [Fact]
    public void EveryProjectOfTheSolutionHasARule()
    {
        string solution = File.ReadAllText(Path.Combine(TestData.RepoRoot, "FerMlNet.sln"));
        var projects = Directory.GetDirectories(TestData.RepoRoot, "FerMlNet.*")
            .Select(Path.GetFileName).Where(name => solution.Contains($"{name}.csproj", StringComparison.Ordinal) && name != "FerMlNet.Tests");
        Assert.All(projects, name => Assert.True(AllowedProjectReferences.ContainsKey(name!), $"{name} has no rule in docs/architecture.md"));
    }

    public static TheoryData<string> Libraries() => new(ForbiddenAssemblies.Keys);

    [Theory]
    [MemberData(nameof(Libraries))]
    public void ALibraryNeverLoadsWhatItsLayerForbids(string library)
    {
        var referenced = Assembly.Load(library).GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        var forbidden = referenced.Where(name => ForbiddenAssemblies[library].Any(f => name == f || name.StartsWith(f + ".", StringComparison.Ordinal))).ToArray();
        Assert.True(forbidden.Length == 0, $"{library}.dll references {string.Join(", ", forbidden)}");
    }

    [Fact]
    public void TheRuleCatchesAReferenceThatGoesTheWrongWay()
    {
        // The check itself, on the CLI, which references TorchSharp's engine, the web host and the console: were it a
        // library of the scoring side, or the training library, the rule would fire.
        var cli = Assembly.Load("fer").GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.Contains(cli, name => ForbiddenAssemblies["FerMlNet.Scoring"].Contains(name));
        Assert.Contains(cli, name => ForbiddenAssemblies["FerMlNet.Training"].Contains(name));
        Assert.Contains("FerMlNet.Web", ProjectReferences("FerMlNet.Cli"));
    }

    /// <summary>The FerMlNet projects a project file references (ProjectReference items, build-only ones included).</summary>
    private static string[] ProjectReferences(string project)
    {
        var csproj = XDocument.Load(Path.Combine(TestData.RepoRoot, project, project + ".csproj"));
        return csproj.Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToArray();
    }
}
