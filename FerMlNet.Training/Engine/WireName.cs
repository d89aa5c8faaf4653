using System.Text.Json;

namespace FerMlNet.Training.Engine;

/// <summary>The names the pipeline files use for the option enums ("cosine", "crossentropy", "mixup", …).</summary>
internal static class WireName
{
    /// <summary>The JSON name of an enum value, as its <c>JsonStringEnumMemberName</c> gives it.</summary>
    public static string Of<T>(T value) where T : struct, Enum => JsonSerializer.SerializeToElement(value).GetString()!;

    /// <summary>Every JSON name of an enum type, quoted and joined for an error message ("'a', 'b' or 'c'").</summary>
    public static string AllOf(Type enumType)
    {
        var names = Enum.GetValues(enumType).Cast<object>()
            .Select(v => $"'{JsonSerializer.SerializeToElement(v, enumType).GetString()}'").ToList();
        return names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
    }
}
