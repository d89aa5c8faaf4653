using System.Text.Json;
using System.Text.Json.Serialization;
using FerMlNet.Core.Data;

namespace FerMlNet.Lifecycle.Evaluation;

/// <summary>
/// metrics.json's "unreadable": the images an evaluation left out. `fer evaluate` lists each with its reason; the
/// face-detection path (which reads every file through the predictor) records only how many, so the file holds
/// either an array or a number and is written back in the form it was read.
/// </summary>
[JsonConverter(typeof(UnreadableImagesConverter))]
public sealed record UnreadableImages
{
    /// <summary>How many images were left out.</summary>
    public int Count => Items?.Count ?? CountOnly;

    /// <summary>Each image with the decoder's reason; null where only the count was recorded.</summary>
    public IReadOnlyList<DatasetNotice>? Items { get; private init; }

    private int CountOnly { get; init; }

    /// <summary>The images with their reasons.</summary>
    public static UnreadableImages Listed(IEnumerable<DatasetNotice> items) => new() { Items = items.ToList() };

    /// <summary>Only their number.</summary>
    public static UnreadableImages Counted(int count) => new() { CountOnly = count };

    private sealed class UnreadableImagesConverter : JsonConverter<UnreadableImages>
    {
        public override UnreadableImages Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Number
                ? Counted(reader.GetInt32())
                : Listed(JsonSerializer.Deserialize<DatasetNotice[]>(ref reader, options)
                    ?? throw new JsonException("\"unreadable\" is null; expected a list of images or a count."));

        public override void Write(Utf8JsonWriter writer, UnreadableImages value, JsonSerializerOptions options)
        {
            if (value.Items is null) writer.WriteNumberValue(value.CountOnly);
            else JsonSerializer.Serialize(writer, value.Items, options);
        }
    }
}
