namespace Tagflow.Delivery;

/// <summary>
/// Wakes a background worker when there may be work for it (a change committed, an email queued),
/// so it need not wait for its next look; many wakes before it looks count as one.
/// </summary>
internal class WorkSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            if (_signal.CurrentCount == 0) _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // woken twice at once: one wake is enough
        }
    }

    /// <summary>Waits for a wake or until <paramref name="timeout"/> has passed.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => await _signal.WaitAsync(timeout, cancellationToken);
}
