using System.Runtime.InteropServices;

namespace Tagflow.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM while a long command runs: the first cancels <see cref="Token"/>
/// instead of ending the process at once, so that the command ends its import as interrupted and
/// removes its files before it exits; a second one ends the process as usual.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly PosixSignalRegistration[] _signals;

    public Interruption(CancellationToken cancellationToken)
    {
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _signals = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>Whether a signal (not the caller's own token) cancelled the work.</summary>
    public bool Happened { get; private set; }

    private void Handle(PosixSignalContext context)
    {
        if (Happened) return;
        Happened = true;
        context.Cancel = true;
        _cancellation.Cancel();
    }

    public void Dispose()
    {
        foreach (var signal in _signals) signal.Dispose();
        _cancellation.Dispose();
    }
}
