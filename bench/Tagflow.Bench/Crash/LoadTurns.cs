namespace Tagflow.Bench.Crash;

/// <summary>
/// One trial at a time puts its server under load. A trial's restarted server mostly waits in the
/// drain (for a webhook call whose lease outlived the kill, a minute), and the next trial runs its
/// load meanwhile: that makes a hundred trials a matter of minutes, not of an hour and a half, and
/// never puts two loads on the two cores at once.
/// </summary>
internal sealed class LoadTurns
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<Turn> TakeAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        return new Turn(_turn);
    }

    /// <summary>A trial's turn; disposing it hands the turn on, once however often it is called.</summary>
    internal sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _over;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _over, 1) == 0) turn.Release();
        }
    }
}
