using System.Net;
using System.Text.Json;

namespace Tagflow.Bench.Crash;

/// <summary>The answered writes, read back through the API of the restarted server: how many were checked, how many are lost.</summary>
internal sealed record WriteTally(int AddOrUpdates, int Tags, int Untags, int Lost, int Unanswered)
{
    public static readonly WriteTally Zero = new(0, 0, 0, 0, 0);

    public int Checked => AddOrUpdates + Tags + Untags;

    public static WriteTally operator +(WriteTally a, WriteTally b) =>
        new(a.AddOrUpdates + b.AddOrUpdates, a.Tags + b.Tags, a.Untags + b.Untags, a.Lost + b.Lost, a.Unanswered + b.Unanswered);
}

/// <summary>
/// Reads every contact with an answered write (<c>GET /subscriber/{id}</c>) and holds it against its
/// <see cref="ContactHistory"/>: its first name must be the last answered one (or one sent after it
/// without an answer), and each of the trial's tags must be on it or not as the last answered tag or
/// untag left it.
/// </summary>
internal static class ContactCheck
{
    private const int Readers = 8;

    public static async Task<WriteTally> RunAsync(Uri baseAddress, Credentials credentials, IReadOnlyCollection<ContactHistory> contacts, CrashTags tags,
        List<string> problems, CancellationToken cancellationToken)
    {
        long[] tagIds = [tags.Start, tags.Trigger, .. tags.Churn];
        var clients = Enumerable.Range(0, Readers).Select(_ => Load.Client(baseAddress, credentials)).ToArray();
        var lost = 0;
        try
        {
            var next = -1;
            await Parallel.ForEachAsync(contacts.Where(c => c.Id is not null), new ParallelOptions { MaxDegreeOfParallelism = Readers, CancellationToken = cancellationToken },
                async (contact, ct) =>
                {
                    var client = clients[Interlocked.Increment(ref next) % Readers];
                    using var response = await client.GetAsync($"/subscriber/{contact.Id}", ct);
                    var body = await response.Content.ReadAsStringAsync(ct);
                    var found = Compare(contact, response.StatusCode, body, tagIds);
                    if (found.Count == 0) return;
                    Interlocked.Add(ref lost, found.Count);
                    lock (problems) problems.AddRange(found);
                });
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
        var answered = contacts.SelectMany(c => c.Answered).ToList();
        return new WriteTally(
            answered.Count(w => w.Kind == WriteKind.AddOrUpdate), answered.Count(w => w.Kind == WriteKind.Tag), answered.Count(w => w.Kind == WriteKind.Untag),
            lost, contacts.Sum(c => c.Writes.Count(w => w.Outcome == Outcome.Unanswered)));
    }

    /// <summary>One line per lost answered write: a missing contact loses all of them, a wrong value or tag the last answered one.</summary>
    private static List<string> Compare(ContactHistory contact, HttpStatusCode status, string body, long[] tagIds)
    {
        if (status == HttpStatusCode.NotFound)
            return [.. contact.Answered.Select(w => $"{contact.Email} (id {contact.Id}) is gone, though its {w.Kind} {w.Value ?? w.TagId.ToString(System.Globalization.CultureInfo.InvariantCulture)} was answered 2xx")];
        if (status != HttpStatusCode.OK)
            throw new BenchException($"GET /subscriber/{contact.Id} answered {(int)status} on the restarted server: {Load.Shorten(body)}");
        try
        {
            using var document = JsonDocument.Parse(body);
            return Compare(contact, document.RootElement, tagIds);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new BenchException($"GET /subscriber/{contact.Id} answered a body that is not a contact object: {Load.Shorten(body)}");
        }
    }

    private static List<string> Compare(ContactHistory contact, JsonElement root, long[] tagIds)
    {
        var found = new List<string>();
        var value = root.GetProperty("fieldFirstName").GetString();
        if (contact.AllowedValues() is { } values && !values.Contains(value))
            found.Add($"{contact.Email}: fieldFirstName is \"{value}\", but the last answered add-or-update set \"{values[0]}\""
                + (values.Count > 1 ? $" (or, unanswered after it, \"{string.Join("\", \"", values.Skip(1))}\")" : ""));
        var onContact = root.GetProperty("manual_tags").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var tagId in tagIds)
        {
            var present = onContact.Contains(tagId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (contact.AllowedTagStates(tagId) is { } states && !states.Contains(present))
                found.Add($"{contact.Email}: tag {tagId} is {(present ? "on it" : "not on it")}, but the last answered call {(states[0] ? "tagged" : "untagged")} it");
        }
        return found;
    }
}
