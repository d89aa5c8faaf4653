namespace FerMlNet.Tests;

/// <summary>
/// The test collection of every class that builds, seeds or trains a TorchSharp network in the test process. libtorch's
/// random generator and thread pool are process-wide: a class that initialises or trains a network beside another
/// that seeds the generator and expects the same dropout mask or the same weights draws numbers from under it. xUnit
/// runs the classes of one collection one at a time; <c>TorchCollectionTests</c> keeps every such class in it.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TorchCollection
{
    /// <summary>The collection's name, for <c>[Collection(TorchCollection.Name)]</c>.</summary>
    public const string Name = "TorchSharp";
}
