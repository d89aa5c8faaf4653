namespace FerMlNet.Core.IO;

/// <summary>
/// How a long library call (calibrating, training) shows its steps: the fer CLI draws a progress bar per step; an
/// embedding caller may log them or pass <see cref="SilentProgress.Instance"/>.
/// </summary>
public interface IStepProgress
{
    /// <summary>Runs one step; <paramref name="work"/> reports (done, total) as it goes.</summary>
    T Step<T>(string description, Func<Action<int, int>, T> work);
}
