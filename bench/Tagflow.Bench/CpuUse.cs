using System.Diagnostics;

namespace Tagflow.Bench;

/// <summary>Who took the cores during a phase, in % of one core, and the server's peak memory at its end.</summary>
internal sealed record CpuUse(string Phase, double ServerPercent, double BenchPercent, double OtherPercent, double StealPercent, long ServerPeakBytes);

/// <summary>The CPU times at the start of a phase, to tell the server's, the load generator's and everybody else's share of it.</summary>
internal readonly record struct CpuMeter(TagflowServer Server, TimeSpan ServerCpu, TimeSpan BenchCpu, SystemCpu System)
{
    public static CpuMeter Start(TagflowServer server) =>
        new(server, server.CpuTime(), Process.GetCurrentProcess().TotalProcessorTime, SystemCpu.Now());

    /// <summary>The shares since <see cref="Start"/>, over <paramref name="elapsed"/> (the phase's measured span).</summary>
    public CpuUse Stop(string phase, TimeSpan elapsed)
    {
        var server = (Server.CpuTime() - ServerCpu) / elapsed * 100;
        var bench = (Process.GetCurrentProcess().TotalProcessorTime - BenchCpu) / elapsed * 100;
        var system = SystemCpu.Now() - System;
        var other = Math.Max(0, system.Busy / elapsed * 100 - server - bench);
        return new CpuUse(phase, server, bench, other, system.Steal / elapsed * 100, Server.Memory().Peak);
    }
}
