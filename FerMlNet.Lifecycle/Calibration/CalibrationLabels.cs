using System.Text.Json.Serialization;

namespace FerMlNet.Lifecycle.Calibration;

/// <summary>The labels a calibration's temperature and class biases are fitted to.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CalibrationLabels>))]
public enum CalibrationLabels
{
    /// <summary>The class folders (the notebook's labels).</summary>
    [JsonStringEnumMemberName("folder")] Folder,

    /// <summary>The FER+ crowd majority, over the validation faces that have one (for vote-trained runs).</summary>
    [JsonStringEnumMemberName("crowd")] Crowd,
}
