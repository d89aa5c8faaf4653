namespace FerMlNet.Tests;

/// <summary>
/// The trait that splits the suite by cost. A test is slow when it starts a process (the fer CLI, dotnet, Chromium),
/// trains a network, or reads the whole embedded dataset; everything else is a fast unit test, and
/// <c>./test --fast</c> (<c>dotnet test --filter "Speed!=Slow"</c>) runs those alone in under a minute.
/// </summary>
internal static class TestSpeed
{
    /// <summary>The trait's name.</summary>
    public const string Trait = "Speed";

    /// <summary>The value that marks a slow test or class.</summary>
    public const string Slow = "Slow";
}
