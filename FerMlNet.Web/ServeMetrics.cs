using FerMlNet.Preprocessing;
using FerMlNet.Core;

namespace FerMlNet.Web;

/// <summary>
/// Running counters of the API for <c>GET /api/v1/metrics</c>: requests by status, latency percentiles over the last
/// <see cref="Window"/> requests, faces and uncertain answers, and the sad↔neutral share the notebook asks production
/// to monitor ("Monitor: Sad ↔ Neutral confusion in deployment logs"). Without true labels a server cannot count
/// confusions, so it counts the faces whose two most probable classes are sad and neutral with a margin below
/// <see cref="SadNeutralMargin"/>: the answers that sit on that boundary.
/// </summary>
internal sealed class ServeMetrics
{
    public const int Window = 4096;
    public const float SadNeutralMargin = Scoring.EmotionPrediction.SadNeutralMargin;

    private readonly Lock _lock = new();
    private readonly double[] _latencies = new double[Window];
    private readonly Dictionary<int, long> _byStatus = [];
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private long _requests, _latencyCount, _faces, _uncertain, _sadNeutral;

    public void RecordRequest(int status, double elapsedMs)
    {
        lock (_lock)
        {
            _requests++;
            _byStatus[status] = _byStatus.GetValueOrDefault(status) + 1;
            _latencies[_latencyCount++ % Window] = elapsedMs;
        }
    }

    /// <summary>Counts one answer's faces; returns how many of them sat on the sad↔neutral boundary (for the request log).</summary>
    public int RecordFaces(IEnumerable<FaceResult> faces)
    {
        int sadNeutral = 0;
        lock (_lock)
            foreach (var face in faces)
            {
                _faces++;
                if (face.Label == Scoring.EmotionPrediction.Uncertain) _uncertain++;
                if (IsSadNeutralBoundary(face.Probabilities)) { _sadNeutral++; sadNeutral++; }
            }
        return sadNeutral;
    }

    /// <summary>True when sad and neutral are the two most probable classes and less than the margin apart.</summary>
    internal static bool IsSadNeutralBoundary(IReadOnlyDictionary<string, float> probabilities) =>
        Scoring.EmotionPrediction.IsOnSadNeutralBoundary(EmotionClasses.Names.Select(n => probabilities[n]).ToArray());

    public object Snapshot(ModelHost models)
    {
        lock (_lock)
        {
            var window = _latencies.Take((int)Math.Min(_latencyCount, Window)).Order().ToArray();
            return new
            {
                uptimeSeconds = Math.Round((DateTimeOffset.UtcNow - _started).TotalSeconds, 1),
                requests = _requests,
                byStatus = _byStatus.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(), p => p.Value),
                latencyMs = new
                {
                    window = window.Length,
                    p50 = Math.Round(Percentiles.Of(window, 0.50), 2),
                    p95 = Math.Round(Percentiles.Of(window, 0.95), 2),
                    p99 = Math.Round(Percentiles.Of(window, 0.99), 2),
                },
                faces = _faces,
                uncertain = _uncertain,
                sadNeutral = new
                {
                    faces = _sadNeutral,
                    share = _faces == 0 ? 0 : Math.Round((double)_sadNeutral / _faces, 4),
                    definition = $"faces whose two most probable classes are sad and neutral, less than {SadNeutralMargin} apart",
                },
                model = new { name = models.Current.Name, sha256 = models.Current.Sha256, loadedAt = models.Current.LoadedAt },
                reloads = models.Reloads,
                reloadFailures = models.ReloadFailures,
                classes = EmotionClasses.Names,
            };
        }
    }
}
