using Tagflow.Data;
using Tagflow.Delivery;

namespace Tagflow.Automations;

/// <summary>
/// Wakes the <see cref="AutomationWorker"/>: every committed write wakes it (any change may have
/// written events that start or stop automations), and saving a campaign or webhook says that
/// automations changed (<see cref="Changed"/>).
/// </summary>
internal sealed class AutomationSignal : WorkSignal, ICommitListener
{
    private int _changed;

    public void Committed(CommittedWrite write) => Wake();

    /// <summary>A campaign or webhook was saved: an idle worker looks at once.</summary>
    public void Changed()
    {
        Interlocked.Exchange(ref _changed, 1);
        Wake();
    }

    /// <summary>Whether automations changed since the last call.</summary>
    public bool TakeChanged() => Interlocked.Exchange(ref _changed, 0) == 1;
}
