using System.Diagnostics;

namespace Tagflow.Bench.Crash;

/// <summary>
/// The crash suite (issue 14, "Proof"): trial after trial of <see cref="CrashTrial"/>, a line for
/// each, and the totals at the end. Any failed check fails the run, with the seed to replay it.
/// </summary>
internal static class CrashSuite
{
    private static readonly Lock Output = new();

    public static async Task<int> RunAsync(CrashSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var started = DateTime.UtcNow;
            var clock = Stopwatch.GetTimestamp();
            Directory.CreateDirectory(settings.DataDirectory);
            var machine = Machine.Describe(settings.DataDirectory);
            Console.WriteLine($"{machine.Cores} cores, {machine.Cpu}; data on {machine.FileSystem}");
            if (machine.IsTmpfs)
                Console.WriteLine("warning: the data directory is on tmpfs: a kill -9 loses nothing there that a disk would keep, and fsync is not tested.");
            Console.WriteLine($"Crash suite: {settings.Trials} trial{(settings.Trials == 1 ? "" : "s")}, seeds {settings.FirstSeed} to {settings.FirstSeed + settings.Trials - 1}, {settings.Clients} clients, "
                + $"kill -9 {CrashSettings.KillFrom.TotalSeconds:0.0} to {CrashSettings.KillUntil.TotalSeconds:0.0} s into the load.");
            var account = await AccountTemplate.CreateAsync(settings.ServerPath, Path.Combine(settings.DataDirectory, "account"), cancellationToken);
            var turns = new LoadTurns();
            using var open = new SemaphoreSlim(CrashSettings.TrialsAtOnce);
            var trials = new List<Task<TrialResult>>();
            for (var i = 0; i < settings.Trials && !trials.Any(t => t.IsFaulted); i++)
            {
                await open.WaitAsync(cancellationToken);
                var turn = await turns.TakeAsync(cancellationToken);
                trials.Add(RunTrialAsync(settings, account, i + 1, turn, open, cancellationToken));
            }
            var results = await Task.WhenAll(trials);
            Console.WriteLine();
            Console.WriteLine(CrashReport.Markdown(settings, machine, started, Stopwatch.GetElapsedTime(clock), results));
            var failed = results.Where(r => !r.Passed).ToList();
            if (failed.Count == 0) return 0;
            Console.WriteLine($"{failed.Count} of {results.Length} trials failed. To replay one (the same writes and kill moment; the timing of the two cores is the machine's):");
            foreach (var r in failed)
                Console.WriteLine($"  {settings.Command} --crash-trials 1 --crash-seed {r.Seed}    (trial {r.Number}: {r.Failures.Count} failures; its database and logs are in {r.Directory})");
            return 1;
        }
        catch (BenchException e)
        {
            await Console.Error.WriteLineAsync($"\nbench: {e.Message}");
            return 3;
        }
    }

    private static async Task<TrialResult> RunTrialAsync(CrashSettings settings, AccountTemplate account, int number, LoadTurns.Turn turn, SemaphoreSlim open,
        CancellationToken cancellationToken)
    {
        try
        {
            var result = await CrashTrial.RunAsync(settings, account, number, settings.FirstSeed + number - 1, turn, cancellationToken);
            var lines = new List<string> { CrashReport.Line(result, settings.Trials) };
            lines.AddRange(result.LogProblems.Take(5).Select(p => $"    log after the restart: {p}"));
            lines.AddRange(result.Failures.Take(20).Select(f => $"    FAIL {f}"));
            if (result.Failures.Count > 20) lines.Add($"    … and {result.Failures.Count - 20} more");
            // Trials end in their own order; each one's lines stay together.
            lock (Output) Console.WriteLine(string.Join('\n', lines));
            return result;
        }
        finally
        {
            turn.Dispose();
            open.Release();
        }
    }
}
