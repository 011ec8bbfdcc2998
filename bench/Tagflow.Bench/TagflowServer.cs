using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Tagflow.Bench;

/// <summary>
/// X-Un and X-Ci for one account (README, "Developer key + customer key"), and its password, which
/// signs in to the admin app.
/// </summary>
internal sealed record Credentials(string Username, string XCi, string Password)
{
    public static Credentials For(string username, string password, string developerKey, string customerKey)
    {
        var key = Encoding.UTF8.GetBytes(customerKey);
        return new(username, Convert.ToBase64String([.. HMACSHA256.HashData(Convert.FromHexString(developerKey), key), .. key]), password);
    }
}

/// <summary>
/// The published <c>tagflow</c> binary as a child process on its own database, as an operator runs
/// it. Its request log goes to a file, so writing it costs the load generator nothing.
/// </summary>
internal sealed class TagflowServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _logPath;
    private bool _stopped;

    private TagflowServer(Process process, Uri baseAddress, string logPath)
    {
        _process = process;
        BaseAddress = baseAddress;
        _logPath = logPath;
    }

    public Uri BaseAddress { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>How the process ended: its exit code, or 128 + the signal that ended it; null while it runs.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>An account with API access and a developer grant, made with the admin commands, and a random password.</summary>
    public static async Task<Credentials> CreateAccountAsync(string executable, string database, CancellationToken cancellationToken)
    {
        const string username = "bench";
        const string developer = "bench-load";
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await AdminAsync(executable, database, cancellationToken, "accounts", "add", username, "--password", password, "--plan", "premium");
        var developerKey = await AdminAsync(executable, database, cancellationToken, "developers", "add", developer);
        var customerKey = await AdminAsync(executable, database, cancellationToken, "keys", "grant", username, developer);
        return Credentials.For(username, password, developerKey, customerKey);
    }

    /// <summary>Starts <c>tagflow serve</c> on <paramref name="database"/>, with <paramref name="options"/> (such as <c>--smtp</c>) added.</summary>
    public static async Task<TagflowServer> StartAsync(string executable, string database, string logPath, IEnumerable<string> options, CancellationToken cancellationToken)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        // exec keeps the pid, so /proc/<pid> is the server's own; 2> sends its log straight to the file.
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", "exec \"$0\" \"$@\" 2>\"$TAGFLOW_BENCH_LOG\"", executable, "--db", database, "serve", "--urls", url },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var option in options) start.ArgumentList.Add(option);
        Scrub(start);
        start.Environment["TAGFLOW_BENCH_LOG"] = logPath;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("Tagflow serves", StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        process.BeginOutputReadLine();
        var server = new TagflowServer(process, new Uri(url), logPath);
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return server;
        }
        catch (TimeoutException)
        {
            var tail = server.LogTail(20);
            await server.DisposeAsync();
            throw new BenchException($"The server did not say it serves within 60 s. Its log ends:\n{tail}");
        }
    }

    /// <summary>Peak (VmHWM) and current (VmRSS) resident memory, in bytes.</summary>
    public (long Peak, long Current) Memory()
    {
        long peak = 0, current = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line);
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) current = Kilobytes(line);
        }
        return (peak, current);

        static long Kilobytes(string line) =>
            1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public string LogTail(int lines)
    {
        try
        {
            return string.Join('\n', File.ReadLines(_logPath).TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(no log: {e.Message})";
        }
    }

    /// <summary>
    /// <c>kill -9</c> (<see cref="Process.Kill()"/> sends SIGKILL, at once, where starting a
    /// <c>kill</c> process would take milliseconds): the server gets no chance to finish a write,
    /// flush a buffer or answer a request, as in a crash of the process (not of the machine: what the
    /// kernel holds still reaches the disk). Answers whether SIGKILL is what ended it.
    /// </summary>
    public async Task<bool> KillAsync()
    {
        if (_stopped) return false;
        _stopped = true;
        _process.Kill();
        await _process.WaitForExitAsync();
        ExitCode = _process.ExitCode;
        _process.Dispose();
        return ExitCode == 128 + 9;
    }

    /// <summary>Stops the server; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped) return;
        _stopped = true;
        if (!_process.HasExited)
        {
            // SIGTERM first, so the server shuts down as it would under systemd.
            using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        ExitCode = _process.ExitCode;
        _process.Dispose();
    }

    private static async Task<string> AdminAsync(string executable, string database, CancellationToken cancellationToken, params string[] command)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["--db", database, .. command]) start.ArgumentList.Add(arg);
        Scrub(start);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new BenchException($"tagflow {string.Join(' ', command.Take(2))} failed ({process.ExitCode}): {(await error).Trim()}");
        return (await output).Trim();
    }

    /// <summary>The server takes its settings from the command line only, never from the caller's TAGFLOW_* variables.</summary>
    private static void Scrub(ProcessStartInfo start)
    {
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("TAGFLOW_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A failure the person running the benchmark must see: printed as is, without a stack trace.</summary>
internal sealed class BenchException(string message) : Exception(message);
