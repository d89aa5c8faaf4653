using System.Text.Json.Serialization;

namespace FerMlNet.Training.Engine;

/// <summary>How the training loss weighs the classes (pipeline key <c>classWeights</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClassWeighting>))]
public enum ClassWeighting
{
    /// <summary>n / (classes · count of the class): sklearn's "balanced" rule, the notebook's default.</summary>
    [JsonStringEnumMemberName("balanced")] Balanced,

    /// <summary>Every class weighs 1.</summary>
    [JsonStringEnumMemberName("none")] None,
}
