namespace FerMlNet.Training.Engine;

/// <summary>Early stopping on validation accuracy (Keras EarlyStopping(monitor='val_accuracy', mode='max')).</summary>
public sealed class EarlyStoppingOptions
{
    /// <summary>Epochs without improvement before stopping. Default 20.</summary>
    public int Patience { get; set; } = 20;

    /// <summary>Restore the best epoch's weights at the end. Default true.</summary>
    public bool RestoreBest { get; set; } = true;
}
