using System.Diagnostics;

namespace Tagflow.Bench;

/// <summary>Percentiles of a set of durations, by nearest rank.</summary>
internal sealed record Latency(int Count, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    public static Latency OfTicks(IEnumerable<long> stopwatchTicks) =>
        Of([.. stopwatchTicks.Select(t => t * 1000.0 / Stopwatch.Frequency)]);

    public static Latency Of(List<double> milliseconds)
    {
        if (milliseconds.Count == 0) return new(0, double.NaN, double.NaN, double.NaN, double.NaN);
        milliseconds.Sort();
        return new(milliseconds.Count, At(0.50), At(0.90), At(0.99), milliseconds[^1]);

        double At(double p) => milliseconds[Math.Max(0, (int)Math.Ceiling(p * milliseconds.Count) - 1)];
    }
}
