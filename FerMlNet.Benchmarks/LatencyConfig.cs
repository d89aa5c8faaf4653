using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace FerMlNet.Benchmarks;

/// <summary>Adds the median and 95th percentile: the product's latency goals are stated as p50/p95.</summary>
public sealed class LatencyConfig : ManualConfig
{
    /// <summary>Median and P95 columns on top of the defaults.</summary>
    public LatencyConfig() => AddColumn(StatisticColumn.Median, StatisticColumn.P95);
}
