using FerMlNet.Preprocessing;

namespace FerMlNet.Core.IO;

/// <summary>The per-class objects of the product's JSON files: one value per class, keyed by class name, in index order.</summary>
public static class ClassMap
{
    /// <summary>The value of each class (<paramref name="valueOf"/> gets the class index), keyed by its name.</summary>
    public static Dictionary<string, T> Of<T>(Func<int, T> valueOf)
    {
        var result = new Dictionary<string, T>(EmotionClasses.Count);
        for (int c = 0; c < EmotionClasses.Count; c++) result[EmotionClasses.Names[c]] = valueOf(c);
        return result;
    }
}
