using System.Diagnostics;
using System.Globalization;

namespace Tagflow.Bench;

/// <summary>
/// The whole machine's CPU time from /proc/stat, so a phase can tell how much of the cores went to
/// processes other than the server and the load generator (a build or a test run spoils a figure).
/// </summary>
internal readonly record struct SystemCpu(TimeSpan Busy, TimeSpan Steal)
{
    // USER_HZ, which Linux fixes at 100 for /proc/stat on every architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public static SystemCpu Now()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double Ticks(int i) => i < fields.Length ? double.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
        // user nice system idle iowait irq softirq steal: busy is everything but idle, iowait and steal.
        var busy = Ticks(1) + Ticks(2) + Ticks(3) + Ticks(6) + Ticks(7);
        return new(TimeSpan.FromSeconds(busy / TicksPerSecond), TimeSpan.FromSeconds(Ticks(8) / TicksPerSecond));
    }

    public static SystemCpu operator -(SystemCpu a, SystemCpu b) => new(a.Busy - b.Busy, a.Steal - b.Steal);
}

/// <summary>Measures, from its start, how much CPU processes other than this one take.</summary>
internal readonly record struct OtherCpu(SystemCpu System, TimeSpan Self, long Started)
{
    public static OtherCpu Start() => new(SystemCpu.Now(), Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.GetTimestamp());

    /// <summary>In % of one core since <see cref="Start"/>.</summary>
    public double Percent()
    {
        var busy = (SystemCpu.Now() - System).Busy - (Process.GetCurrentProcess().TotalProcessorTime - Self);
        return Math.Max(0, busy / Stopwatch.GetElapsedTime(Started) * 100);
    }
}
