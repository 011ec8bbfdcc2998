using Tagflow.Delivery;

namespace Tagflow.Automations;

/// <summary>
/// Wakes the <see cref="AutomationWorker"/>: <see cref="Data.Writes"/> wakes it after every committed
/// change, and saving a campaign or webhook says that automations changed (<see cref="Changed"/>).
/// </summary>
internal sealed class AutomationSignal : WorkSignal
{
    private int _changed;

    /// <summary>A campaign or webhook was saved: an idle worker looks at once.</summary>
    public void Changed()
    {
        Interlocked.Exchange(ref _changed, 1);
        Wake();
    }

    /// <summary>Whether automations changed since the last call.</summary>
    public bool TakeChanged() => Interlocked.Exchange(ref _changed, 0) == 1;
}
