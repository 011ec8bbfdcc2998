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
/// Spaces sends evenly at a rate: each turn is granted at least 1/rate seconds after the one before,
/// measured when it is granted (a turn granted late does not let the next come sooner), whichever
/// connection asks. Real time, not the server's clock: it paces a real relay.
/// </summary>
internal sealed class SendPace(double perSecond)
{
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(1 / perSecond);
    private readonly SemaphoreSlim _turn = new(1, 1);
    private long _last = long.MinValue;

    /// <summary>Waits until a send may start.</summary>
    public async Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            while (_last != long.MinValue && Stopwatch.GetElapsedTime(_last) is var since && since < _interval)
                await Task.Delay(_interval - since, cancellationToken);
            _last = Stopwatch.GetTimestamp();
        }
        finally
        {
            _turn.Release();
        }
    }
}
