namespace Tagflow.Bench.Crash;

/// <summary>
/// A crash suite run: <see cref="Trials"/> trials with the seeds <see cref="FirstSeed"/>,
/// <see cref="FirstSeed"/> + 1, …; <see cref="Clients"/> workers of mixed load in each.
/// </summary>
internal sealed record CrashSettings(string ServerPath, string DataDirectory, string Command, string Revision, int Trials, int FirstSeed, int Clients)
{
    /// <summary>The kill comes this long after the load began, at a moment drawn from the seed.</summary>
    public static readonly TimeSpan KillFrom = TimeSpan.FromSeconds(0.3);
    public static readonly TimeSpan KillUntil = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The drain gives up when nothing arrived and the queues did not move for this long: past the
    /// minute a webhook call's lease outlives a crash before the call is made again.
    /// </summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(90);

    public static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>A trial hands the load on to the next once its restarted server was idle this long in the drain (<see cref="LoadTurns"/>).</summary>
    public static readonly TimeSpan IdleHandOver = TimeSpan.FromSeconds(2);

    /// <summary>Trials under way at once, most of them waiting in their drains: each holds a server's memory.</summary>
    public const int TrialsAtOnce = 6;
}
