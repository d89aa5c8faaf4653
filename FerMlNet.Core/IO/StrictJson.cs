using System.Text.Json;
using System.Text.Json.Serialization;
using FerMlNet.Preprocessing;

namespace FerMlNet.Core.IO;

/// <summary>
/// Reading the product's typed, versioned files (metrics.json, calibration.json, model cards): unknown keys and
/// missing required keys are errors, and a layout newer than the build knows is refused, each naming the file.
/// </summary>
public static class StrictJson
{
    /// <summary><see cref="ReportJson.IndentedCamelCase"/> with unknown keys refused and required constructor parameters enforced.</summary>
    public static JsonSerializerOptions Options(JsonSerializerOptions? basis = null) => new(basis ?? ReportJson.IndentedCamelCase)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>
    /// Reads <paramref name="json"/> as <typeparamref name="T"/>; <paramref name="source"/> names it and
    /// <paramref name="what"/> says what it should be in every error. A <paramref name="schemaVersion"/> above
    /// <paramref name="currentVersion"/> is refused.
    /// </summary>
    public static T Parse<T>(string json, string source, string what, JsonSerializerOptions options,
        Func<T, int> schemaVersion, int currentVersion) where T : class
    {
        T value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, options) ?? throw new InvalidDataException($"'{source}' is not a {what}: it holds null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}' is not a readable {what}: {e.Message}", e);
        }
        if (schemaVersion(value) > currentVersion)
            throw new InvalidDataException($"'{source}' is {what} layout {schemaVersion(value)}; this build reads up to {currentVersion}.");
        return value;
    }

    /// <summary>Reads a file with <see cref="Parse{T}"/>; a missing file is an error naming it.</summary>
    public static T Load<T>(string path, string what, JsonSerializerOptions options, Func<T, int> schemaVersion, int currentVersion)
        where T : class =>
        File.Exists(path)
            ? Parse(InputFile.ReadAllText(path), path, what, options, schemaVersion, currentVersion)
            : throw new FileNotFoundException($"'{path}' does not exist.");
}
