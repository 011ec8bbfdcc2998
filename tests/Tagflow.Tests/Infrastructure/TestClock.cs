namespace Tagflow.Tests.Infrastructure;

/// <summary>A clock a test moves by hand (session expiry, login lockout, campaign waits); the server reads it from its own threads meanwhile.</summary>
public sealed class TestClock : TimeProvider
{
    private long _utcTicks = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
}
