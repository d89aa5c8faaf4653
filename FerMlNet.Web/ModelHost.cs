using FerMlNet.Core.IO;
using FerMlNet.Scoring;
using Microsoft.Extensions.Logging;

namespace FerMlNet.Web;

/// <summary>One loaded model and the requests currently using it; disposed only when the last of them is done.</summary>
internal sealed class ServedModel
{
    private int _leases = 1; // the host's own reference, released when the model is swapped out

    public ServedModel(FerPredictor predictor, string sha256, string? deployment)
    {
        Predictor = predictor;
        Sha256 = sha256;
        Deployment = deployment;
    }

    public FerPredictor Predictor { get; }
    public string Sha256 { get; }

    /// <summary>The file name of the deployment calibration whose offsets this model applies, or null.</summary>
    public string? Deployment { get; }
    public DateTimeOffset LoadedAt { get; } = DateTimeOffset.UtcNow;
    public string Name => Path.GetFileName(Predictor.ModelPath);

    public bool TryAcquire()
    {
        while (true)
        {
            int seen = Volatile.Read(ref _leases);
            if (seen == 0) return false; // already retired and disposed
            if (Interlocked.CompareExchange(ref _leases, seen + 1, seen) == seen) return true;
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0) Predictor.Dispose();
    }
}

/// <summary>A request's hold on the model it started with; a swap during the request waits for it to end.</summary>
internal readonly struct ModelLease(ServedModel model) : IDisposable
{
    public ServedModel Model { get; } = model;
    public void Dispose() => Model.Release();
}

/// <summary>
/// Serves one model and replaces it when its file changes, without dropping requests: each request leases the model
/// it started with, a swap publishes the new model for later requests, and the old one is disposed when its last
/// lease ends. A replacement that does not load (half-copied, not a model) is logged and the old model keeps serving;
/// the next change of the file tries again.
/// </summary>
internal sealed class ModelHost : IDisposable
{
    private readonly ServeOptions _options;
    private readonly ILogger _log;
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _debounce;
    private readonly Lock _reloadLock = new();
    private readonly DeploymentCalibration? _deployment;
    private ServedModel _current;

    public ModelHost(string modelPath, ServeOptions options, ILogger<ModelHost> log)
    {
        _options = options;
        _log = log;
        ModelPath = Path.GetFullPath(modelPath);
        _deployment = options.DeploymentPath is { } file ? DeploymentCalibration.Load(file) : null;
        string sha = FileHash.Sha256(ModelPath);
        if (_deployment is not null && !_deployment.IsFor(sha))
            throw new InvalidDataException(_deployment.NotForMessage(options.DeploymentPath!, ModelPath));
        _current = Load(ModelPath, sha); // a bad model at start-up stops the server with the reason
        _debounce = new Timer(_ => Reload(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(ModelPath)!, Path.GetFileName(ModelPath))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => ScheduleReload();
        _watcher.Created += (_, _) => ScheduleReload();
        _watcher.Renamed += (_, _) => ScheduleReload();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>The watched model file.</summary>
    public string ModelPath { get; }

    public int Reloads { get; private set; }
    public int ReloadFailures { get; private set; }
    public string? LastReloadError { get; private set; }

    /// <summary>The model now served, leased for the caller's request.</summary>
    public ModelLease Acquire()
    {
        while (true)
        {
            var model = Volatile.Read(ref _current);
            if (model.TryAcquire()) return new ModelLease(model);
        }
    }

    /// <summary>Information about the served model, for /healthz and the page.</summary>
    public ServedModel Current => Volatile.Read(ref _current);

    private void ScheduleReload() => _debounce.Change(_options.ReloadDebounceMs, Timeout.Infinite);

    /// <summary>Loads the file again and swaps it in when it changed and loads cleanly.</summary>
    internal void Reload()
    {
        lock (_reloadLock)
        {
            try
            {
                if (!File.Exists(ModelPath)) return; // mid-replace; the Created/Renamed event comes next
                string sha = FileHash.Sha256(ModelPath);
                if (sha == Current.Sha256) return;
                var fresh = Load(ModelPath, sha);
                var old = Interlocked.Exchange(ref _current, fresh);
                old.Release();
                Reloads++;
                _log.LogInformation("Model reloaded from {ModelPath} (sha256 {Sha256})", ModelPath, fresh.Sha256[..12]);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                ReloadFailures++;
                LastReloadError = e.Message;
                _log.LogWarning("Model file {ModelPath} changed but did not load; still serving the previous model: {Reason}",
                    ModelPath, e.Message);
            }
        }
    }

    /// <summary>Loads the model file whose SHA-256 the caller has just computed (the file is hashed once per load).</summary>
    private ServedModel Load(string path, string sha)
    {
        bool applies = _deployment?.IsFor(sha) == true;
        if (_deployment is not null && !applies)
            _log.LogWarning("The new model file {ModelPath} is not the one {Deployment} was fitted for; serving it without the deployment offsets",
                path, _options.DeploymentPath);
        var predictor = FerPredictor.Load(path, new FerPredictorOptions
        {
            UncertainThreshold = _options.UncertainThreshold,
            IntraOpThreads = _options.IntraOpThreads,
            ClassLogOffsets = applies ? _deployment!.ClassLogOffsets : null,
            Log = message => _log.LogWarning("{Message}", message),
        });
        return new ServedModel(predictor, sha, applies ? Path.GetFileName(_options.DeploymentPath) : null);
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _debounce.Dispose();
        Current.Release();
    }
}
