namespace Tagflow.Bench.Crash;

internal enum WriteKind { AddOrUpdate, Tag, Untag }

/// <summary>
/// What the client knows of a write: answered 2xx (on disk, by the README's promise), refused with
/// another status (changed nothing, by the same README), or sent without an answer (the kill came
/// first: it may or may not have been committed).
/// </summary>
internal enum Outcome { Unanswered, Answered, Refused }

/// <summary>One request that changes a contact: a first name for add-or-update, a tag for tag and untag.</summary>
internal sealed record Write(WriteKind Kind, string? Value, long TagId)
{
    public Outcome Outcome { get; set; }
}

/// <summary>
/// Every write sent for one contact, in the order sent. A contact belongs to one worker, which sends
/// one request at a time and stops at the first that gets no answer: so the writes are ordered, and
/// only the last one can be unanswered. What the contact must hold afterwards follows from that.
/// </summary>
internal sealed class ContactHistory(string email)
{
    public string Email { get; } = email;

    /// <summary>The contact's id, from the answer to its first add-or-update; null while it was never answered.</summary>
    public long? Id { get; set; }

    public List<Write> Writes { get; } = [];

    public IEnumerable<Write> Answered => Writes.Where(w => w.Outcome == Outcome.Answered);

    /// <summary>
    /// The first names the contact may hold: the last answered add-or-update's, or that of one sent
    /// after it without an answer. Null when no add-or-update was answered (nothing to check).
    /// </summary>
    public IReadOnlyList<string>? AllowedValues() =>
        Allowed(w => w.Kind == WriteKind.AddOrUpdate, w => w.Value!);

    /// <summary>Whether the contact may hold <paramref name="tagId"/>, by the same rule; null when no tag or untag of it was answered.</summary>
    public IReadOnlyList<bool>? AllowedTagStates(long tagId) =>
        Allowed(w => w.Kind != WriteKind.AddOrUpdate && w.TagId == tagId, w => w.Kind == WriteKind.Tag);

    /// <summary>A tag call with <paramref name="tagId"/> was answered 2xx: its automation must follow.</summary>
    public bool TagAnswered(long tagId) => Answered.Any(w => w.Kind == WriteKind.Tag && w.TagId == tagId);

    /// <summary>A tag call with <paramref name="tagId"/> was sent at all: only then may its automation follow.</summary>
    public bool TagSent(long tagId) => Writes.Any(w => w.Kind == WriteKind.Tag && w.TagId == tagId);

    private List<T>? Allowed<T>(Func<Write, bool> concerns, Func<Write, T> state)
    {
        var writes = Writes.Where(concerns).ToList();
        var last = writes.FindLastIndex(w => w.Outcome == Outcome.Answered);
        if (last < 0) return null;
        return [.. writes.Skip(last).Where((w, i) => i == 0 || w.Outcome == Outcome.Unanswered).Select(state).Distinct()];
    }
}
