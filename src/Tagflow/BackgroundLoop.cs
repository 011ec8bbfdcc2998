namespace Tagflow;

/// <summary>
/// The one way Tagflow runs work in the background: a <see cref="BackgroundService"/> with the same
/// start, stop, error and shutdown behaviour for every worker.
/// <list type="bullet">
/// <item><b>Start.</b> In a serving instance the host starts it (<see cref="BackgroundLoops.AddBackgroundLoop{T}(IServiceCollection)"/>)
/// before the web server, and stops it after the server has answered the requests in flight; the
/// host stops workers in the reverse order of their registration, so one registered before those
/// that use it outlives them. Where no host runs it (the admin commands build only a service
/// provider; a worker tested on its own), its first use starts it (<see cref="EnsureStarted"/>).
/// It starts once, and never runs on the thread, nor in the execution context (trace, logging
/// scopes), of whoever started it.</item>
/// <item><b>Rounds.</b> <see cref="RunRoundsAsync"/> runs a round of work (which ends by waiting for
/// the next: a wake, a poll) until stopped. A round that fails is logged (<see cref="LogFailure"/>)
/// and the next follows after <see cref="RetryAfter"/>; a round ended by stopping ends quietly.
/// Work that blocks runs on a thread of its own instead (<see cref="RunOnOwnThread"/>), and says why.</item>
/// <item><b>Stop.</b> The host's <see cref="StopAsync"/> or disposing, whichever comes first: it
/// cancels the stopping token, waits for the work to end (when disposed, at most
/// <see cref="StopTimeout"/>), then lets the worker answer what is still queued (<see cref="OnStopped"/>);
/// should the stop come before the work ever ran, that is all that is left. A stopped worker does
/// not start again.</item>
/// </list>
/// </summary>
internal abstract partial class BackgroundLoop(string name, ILogger logger) : BackgroundService, IAsyncDisposable
{
    /// <summary>How long disposing waits for the work to end.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private int _started;

    protected ILogger Logger => logger;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return Task.CompletedTask;
        // Not linked to the starter's token, nor run in its context: the work outlives both.
        if (ExecutionContext.IsFlowSuppressed()) return base.StartAsync(CancellationToken.None);
        using (ExecutionContext.SuppressFlow()) return base.StartAsync(CancellationToken.None);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _started, 1);
        await base.StopAsync(cancellationToken);
        OnStopped();
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(StopTimeout)) await StopAsync(timeout.Token);
        Dispose();
    }

    /// <summary>Stops the work if it still runs (at once, when it has stopped already), then releases what the worker holds.</summary>
    public override void Dispose()
    {
        using (var timeout = new CancellationTokenSource(StopTimeout)) StopAsync(timeout.Token).GetAwaiter().GetResult();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the work on its first use where no host started it; does nothing once it was started or stopped.</summary>
    protected void EnsureStarted()
    {
        if (Volatile.Read(ref _started) == 0) _ = StartAsync(CancellationToken.None);
    }

    /// <summary>Runs <paramref name="round"/> again and again until stopped, the first time after <paramref name="startAfter"/>.</summary>
    protected async Task RunRoundsAsync(Func<CancellationToken, Task> round, CancellationToken stoppingToken, TimeSpan startAfter = default)
    {
        var wait = startAfter;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (wait > TimeSpan.Zero) await Task.Delay(wait, stoppingToken);
                await round(stoppingToken);
                (wait, failures) = (TimeSpan.Zero, 0);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                wait = RetryAfter(++failures);
                LogFailure(e, wait);
            }
        }
    }

    /// <summary>How long to wait after <paramref name="failures"/> rounds in a row have failed.</summary>
    protected virtual TimeSpan RetryAfter(int failures) => TimeSpan.FromSeconds(5);

    protected virtual void LogFailure(Exception e, TimeSpan retry) => LogRoundFailed(logger, e, name, retry.TotalSeconds);

    /// <summary>Answers what is still queued once the work has stopped (or never ran): a stop must leave no caller waiting.</summary>
    protected virtual void OnStopped()
    {
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a thread of its own rather than on the thread pool, for work
    /// that blocks; the task ends when the work does. The thread does not take on the starter's
    /// execution context either.
    /// </summary>
    protected static Task RunOnOwnThread(string threadName, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                work();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        { IsBackground = true, Name = threadName };
        thread.UnsafeStart();
        return done.Task;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Worker} failed; it tries again in {Seconds} s.")]
    private static partial void LogRoundFailed(ILogger logger, Exception e, string worker, double seconds);
}

internal static class BackgroundLoops
{
    /// <summary>Registers a worker as itself and as a hosted service, so that the host starts and stops it and others can reach it.</summary>
    public static IServiceCollection AddBackgroundLoop<T>(this IServiceCollection services) where T : BackgroundLoop
    {
        services.AddSingleton<T>();
        services.AddHostedService(sp => sp.GetRequiredService<T>());
        return services;
    }

    /// <inheritdoc cref="AddBackgroundLoop{T}(IServiceCollection)"/>
    public static IServiceCollection AddBackgroundLoop<T>(this IServiceCollection services, Func<IServiceProvider, T> create) where T : BackgroundLoop
    {
        services.AddSingleton(create);
        services.AddHostedService(sp => sp.GetRequiredService<T>());
        return services;
    }
}
