namespace Tagflow.Bench.Crash;

/// <summary>
/// Emails or webhook calls against what the answered tag calls promised. <see cref="Expected"/>:
/// contacts whose tag call was answered 2xx; <see cref="Arrived"/>: those of them that got at least
/// one; a repeat under the first one's id is the documented at-least-once after a crash, one under
/// another id is a second email or call; <see cref="Unexpected"/> came for a contact that no tag call
/// was ever sent for; <see cref="FromUnanswered"/> for one whose tag call got no answer (it may have
/// been committed before the kill, so either way is right).
/// </summary>
internal sealed record DeliveryTally(int Expected, int Arrived, int RepeatsSameId, int RepeatsOtherId, int Unexpected, int FromUnanswered, int Unverified)
{
    public static readonly DeliveryTally Zero = new(0, 0, 0, 0, 0, 0, 0);

    public int Missing => Expected - Arrived;

    public bool Passed => Missing == 0 && RepeatsOtherId == 0 && Unexpected == 0 && Unverified == 0;

    public static DeliveryTally operator +(DeliveryTally a, DeliveryTally b) => new(
        a.Expected + b.Expected, a.Arrived + b.Arrived, a.RepeatsSameId + b.RepeatsSameId, a.RepeatsOtherId + b.RepeatsOtherId,
        a.Unexpected + b.Unexpected, a.FromUnanswered + b.FromUnanswered, a.Unverified + b.Unverified);

    /// <summary>
    /// Tallies <paramref name="arrivals"/> (address → the ids of what came for it, in order) against the
    /// contacts' tag calls with <paramref name="tagId"/>; <paramref name="problems"/> gets what fails.
    /// </summary>
    public static DeliveryTally Of(string what, string idName, IReadOnlyCollection<ContactHistory> contacts, long tagId,
        IReadOnlyDictionary<string, IReadOnlyCollection<string>> arrivals, int unverified, List<string> problems)
    {
        var byEmail = contacts.ToDictionary(c => c.Email, StringComparer.OrdinalIgnoreCase);
        int expected = 0, arrived = 0, sameId = 0, otherId = 0, unexpected = 0, fromUnanswered = 0;
        foreach (var contact in contacts.Where(c => c.TagAnswered(tagId)))
        {
            expected++;
            if (arrivals.ContainsKey(contact.Email)) arrived++;
            else problems.Add($"{contact.Email}: no {what}, though its tag call was answered 2xx");
        }
        foreach (var (address, ids) in arrivals)
        {
            if (!byEmail.TryGetValue(address, out var contact) || !contact.TagSent(tagId))
            {
                unexpected += ids.Count;
                problems.Add($"{address}: {ids.Count} {what} for a contact no tag call was sent for");
                continue;
            }
            if (!contact.TagAnswered(tagId)) fromUnanswered++;
            var first = ids.First();
            var same = ids.Skip(1).Count(id => id == first && id.Length > 0);
            sameId += same;
            if (ids.Count - 1 - same is > 0 and var other)
            {
                otherId += other;
                problems.Add($"{address}: {ids.Count} {what} under {ids.Distinct().Count()} different {idName}s ({string.Join(", ", ids.Distinct())})");
            }
        }
        if (unverified > 0) problems.Add($"{unverified} {what} with a signature that does not verify");
        return new DeliveryTally(expected, arrived, sameId, otherId, unexpected, fromUnanswered, unverified);
    }
}
