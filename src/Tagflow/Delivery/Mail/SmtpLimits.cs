using System.Diagnostics;
using System.Globalization;

namespace Tagflow.Delivery;

/// <summary>
/// How hard Tagflow may push its SMTP relay, per instance: at most <see cref="PerSecond"/> messages a
/// second (null: as fast as the relay takes them), over <see cref="Connections"/> connections at once.
/// Relays (and the providers behind them) throttle or block a sender that goes faster than its plan.
/// </summary>
internal sealed record SmtpLimits(double? PerSecond = null, int Connections = 1)
{
    public const string RateHelp = "--smtp-rate takes a number of messages and a unit, such as 10/s, 600/min or 20000/h (a plain number is per second).";

    public static readonly SmtpLimits None = new();

    /// <summary><c>10/s</c>, <c>600/min</c>, <c>20000/h</c>, or a plain number (per second); null if it is none of these or not above 0.</summary>
    public static double? ParseRate(string text)
    {
        var parts = text.Trim().Split('/', 2, StringSplitOptions.TrimEntries);
        double? seconds = parts.Length == 1 ? 1 : parts[1].ToLowerInvariant() switch
        {
            "s" or "sec" or "second" => 1,
            "m" or "min" or "minute" => 60,
            "h" or "hour" => 3600,
            _ => null,
        };
        return seconds is { } per && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var count)
            && double.IsFinite(count) && count > 0 && count / per >= 1.0 / 86400
            ? count / per
            : null;
    }

    /// <summary>For the start-up line and the dashboard: "at most 10 emails a second over 2 connections".</summary>
    public string Describe() =>
        (PerSecond is { } rate
            ? rate >= 1 ? $"at most {rate.ToString("0.##", CultureInfo.InvariantCulture)} emails a second"
            : $"at most {(rate * 3600).ToString("0.##", CultureInfo.InvariantCulture)} emails an hour"
            : "as fast as the relay takes them")
        + (Connections == 1 ? ", over one connection" : $", over {Connections} connections at once");
}

/// <summary>
/// Paces sends at a rate, whichever connection asks. Two rules, both on real time (it paces a real
/// relay, not the server's clock):
/// <list type="bullet">
/// <item>Even spacing: turns fall on slots 1/rate apart. A turn granted late (timers wake a millisecond
/// or more after they are due) does not push the slots after it back, so the queue drains at the rate
/// and not below it; nor does idle time bank slots for a burst.</item>
/// <item>A cap: at most <c>N</c> turns in any window of <c>N</c>/rate seconds (<c>N</c> the rate in a
/// second, rounded down, at least 1), stretched by <see cref="Guard"/> so that the jitter between a
/// turn and its message's arrival never lets the relay count more than the rate in a second.</item>
/// </list>
/// </summary>
internal sealed class SendPace
{
    /// <summary>How much longer than <c>N</c>/rate the cap's window is (so the pace tops out at about 98 % of the rate).</summary>
    public const double Guard = 0.02;

    private const int MostInWindow = 10_000;

    private readonly long _interval;
    private readonly long _window;
    private readonly long[] _granted;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _oldest;
    private long _slot = long.MinValue;

    public SendPace(double perSecond)
    {
        var inWindow = (int)Math.Clamp(Math.Floor(perSecond), 1, MostInWindow);
        _interval = Math.Max(1, (long)(Stopwatch.Frequency / perSecond));
        _window = (long)(Stopwatch.Frequency * inWindow / perSecond * (1 + Guard));
        _granted = new long[inWindow];
        Array.Fill(_granted, long.MinValue);
    }

    /// <summary>Waits until a send may start; answers when it was granted (a <see cref="Stopwatch"/> timestamp).</summary>
    public async Task<long> WaitTurnAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            var now = Stopwatch.GetTimestamp();
            // The next slot, or (after idle time) half a slot ago: a late turn is caught up, idle time is not.
            var due = _slot == long.MinValue ? now : Math.Max(_slot + _interval, now - _interval / 2);
            if (_granted[_oldest] != long.MinValue) due = Math.Max(due, _granted[_oldest] + _window);
            while (due - Stopwatch.GetTimestamp() is var left && left > 0)
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(left * 1000.0 / Stopwatch.Frequency)), cancellationToken);
            _slot = due;
            var granted = _granted[_oldest] = Stopwatch.GetTimestamp();
            _oldest = (_oldest + 1) % _granted.Length;
            return granted;
        }
        finally
        {
            _turn.Release();
        }
    }
}
