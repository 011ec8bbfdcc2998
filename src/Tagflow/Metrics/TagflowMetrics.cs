using System.Diagnostics.Metrics;

namespace Tagflow.Metrics;

/// <summary>
/// Tagflow's own instruments, all on the meter <see cref="MeterName"/>. Nothing listens to them
/// unless <c>--metrics-urls</c> is set (<see cref="MetricsEndpoint"/>); until then a recording is a
/// check of one flag. Requests are measured by ASP.NET Core's own meter, not here.
/// </summary>
internal sealed class TagflowMetrics
{
    public const string MeterName = "Tagflow";

    public TagflowMetrics(IMeterFactory meters, QueueReadings queues)
    {
        var meter = meters.Create(MeterName);
        GroupCommitBatchSize = meter.CreateHistogram("tagflow.group_commit.batch_size", "{change}",
            "Changes answered by one SQLite group commit: one transaction and one flush to disk.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });
        meter.CreateObservableGauge("tagflow.queue.depth", queues.Depths, "{item}",
            "Work that is due and waits: emails stored for delivery (queue=mail), webhook deliveries (webhook), campaign steps (campaign).");
        meter.CreateObservableGauge("tagflow.queue.oldest_due_age", queues.OldestAges, "s",
            "How long the queue's oldest due item has been due; 0 when nothing is.");
    }

    /// <summary>Recorded once per commit, by the writer alone: no tags, nothing allocated.</summary>
    public Histogram<int> GroupCommitBatchSize { get; }
}
