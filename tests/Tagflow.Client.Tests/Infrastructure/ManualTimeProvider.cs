namespace Tagflow.Client.Tests.Infrastructure;

/// <summary>
/// A clock for the client's retry delays and attempt timeouts that stands still until a test advances it:
/// timers fire only in <see cref="Advance"/>, so a test sees exactly which waits were set, without sleeping.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _pending = [];
    private readonly List<TimeSpan> _set = [];
    private readonly List<(TimeSpan DueTime, TaskCompletionSource Set)> _waiters = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Retry delays and timeouts are one-shot; a periodic timer would need rescheduling this class does not do.
        if (period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero) throw new NotSupportedException("Periodic timers are not supported.");
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Completes once a timer has been set to fire after exactly <paramref name="dueTime"/>.</summary>
    public Task WhenTimerSetAsync(TimeSpan dueTime)
    {
        lock (_lock)
        {
            if (_set.Contains(dueTime)) return Task.CompletedTask;
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((dueTime, waiter));
            return waiter.Task;
        }
    }

    /// <summary>Moves the clock on and fires every timer that has come due.</summary>
    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_lock)
        {
            _now += by;
            due = [.. _pending.Where(t => t.Due <= _now)];
            foreach (var timer in due) _pending.Remove(timer);
        }
        foreach (var timer in due) timer.Fire();
    }

    private void Schedule(ManualTimer timer, TimeSpan dueTime)
    {
        List<TaskCompletionSource> released;
        lock (_lock)
        {
            _pending.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan) return;
            timer.Due = _now + dueTime;
            _pending.Add(timer);
            _set.Add(dueTime);
            released = [.. _waiters.Where(w => w.DueTime == dueTime).Select(w => w.Set)];
            _waiters.RemoveAll(w => w.DueTime == dueTime);
        }
        foreach (var waiter in released) waiter.SetResult();
    }

    private void Cancel(ManualTimer timer)
    {
        lock (_lock) _pending.Remove(timer);
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Schedule(this, dueTime);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Cancel(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
