namespace Tagflow.Data;

/// <summary>
/// Told after every write that <see cref="Writes"/> commits (a request's change, the automation
/// engine's), so that whoever works on what was written looks at once rather than at its next
/// poll: the automation engine, and the delivery of emails and webhook calls. Data/ knows none of
/// them: each registers itself as an <see cref="ICommitListener"/>, and the writers are given them
/// all. <see cref="Committed"/> runs on the committing thread right after the commit, so it must
/// return at once and never throw: wake a worker, nothing more.
/// </summary>
internal interface ICommitListener
{
    void Committed(CommittedWrite write);
}

/// <summary>
/// What a committed write saved: the entity types of the rows it added, changed or deleted through
/// the change tracker (see <see cref="TagflowDb.TakeSaved"/>). Rows changed with ExecuteUpdate,
/// ExecuteDelete or SQL of its own are not seen: a listener that must not miss a kind of row has it
/// written through the change tracker.
/// </summary>
internal sealed class CommittedWrite(IReadOnlySet<Type> saved)
{
    /// <summary>Whether the write added, changed or deleted rows of <typeparamref name="TEntity"/>.</summary>
    public bool Saved<TEntity>() => saved.Contains(typeof(TEntity));

    /// <summary>Tells each listener.</summary>
    public void Tell(IEnumerable<ICommitListener> listeners)
    {
        foreach (var listener in listeners) listener.Committed(this);
    }
}
