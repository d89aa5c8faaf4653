using System.Text.Json.Nodes;

namespace FerMlNet.Tests;

/// <summary>The check every typed file record passes on the committed files: read, written back, nothing lost or changed.</summary>
internal static class JsonRoundTrip
{
    /// <summary>
    /// Asserts that <paramref name="written"/> (a record written back) holds every key and value of
    /// <paramref name="original"/> (the file it was read from). The written side's schemaVersion must be
    /// <paramref name="currentVersion"/>; it is dropped on both sides, at the top and in the <paramref name="nested"/>
    /// objects (embedded records with their own version), and keys the older file never had must come back null.
    /// </summary>
    public static void AssertSameKeysAndValues(JsonObject original, JsonObject written, string file, int currentVersion, params string[] nested)
    {
        Assert.Equal(currentVersion, (int)written["schemaVersion"]!);
        foreach (var whole in new[] { original, written })
            foreach (var json in nested.Select(key => whole[key] as JsonObject).Prepend(whole))
                json?.Remove("schemaVersion");
        foreach (var key in written.Select(p => p.Key).Where(k => !original.ContainsKey(k)).ToList())
        {
            Assert.Null(written[key]);
            written.Remove(key);
        }
        Assert.True(JsonNode.DeepEquals(original, written), $"{file} changed on a read and write");
    }
}
