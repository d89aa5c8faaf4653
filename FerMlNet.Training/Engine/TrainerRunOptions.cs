namespace FerMlNet.Training.Engine;

/// <summary>Run-time settings of a training run that are not part of the pipeline.</summary>
public sealed class TrainerRunOptions
{
    /// <summary>Folder for checkpoint.bin (null: no checkpoints).</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Continue from the checkpoint in <see cref="CheckpointDirectory"/> when there is one.</summary>
    public bool Resume { get; set; }

    /// <summary>
    /// Stop cleanly (keeping the best weights) once this many minutes have passed: wall time, or CPU time with
    /// <see cref="CountCpuMinutes"/> (0 = no limit).
    /// </summary>
    public double MaxMinutes { get; set; }

    /// <summary>
    /// Count <see cref="MaxMinutes"/> as this process's CPU time divided by the cores instead of wall time, so a run
    /// that other work on the machine slows down still gets the compute it was budgeted. Default false (wall time).
    /// </summary>
    public bool CountCpuMinutes { get; set; }

    /// <summary>Intra-op threads (0 = TorchSharp's default, one per core).</summary>
    public int Threads { get; set; }

    /// <summary>Where to train. Default <see cref="TrainingDevice.Cpu"/>.</summary>
    public TrainingDevice Device { get; set; } = TrainingDevice.Cpu;

    /// <summary>Stop after this many epochs of this invocation (tests use it to simulate a kill; 0 = no limit).</summary>
    public int StopAfterEpochs { get; set; }

    /// <summary>Called after every batch.</summary>
    public Action<TrainingProgress>? Progress { get; set; }

    /// <summary>Called after every epoch.</summary>
    public Action<EpochRecord>? EpochEnd { get; set; }
}
