using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Tagflow.Bench.Crash;

/// <summary>The tags of a trial: the campaign's start tag, the webhook's trigger tag, and two with no automation for tag/untag churn.</summary>
internal sealed record CrashTags(long Start, long Trigger, long[] Churn);

/// <summary>
/// The load a trial kills the server under: several workers, each with its own keep-alive connection
/// and its own contacts, send add-or-update (new contacts and new first names for their own), tag
/// calls with the start and the trigger tag, and tag/untag churn, one request at a time, and note
/// each request's outcome in its contact's <see cref="ContactHistory"/>. A worker stops at the first
/// request that gets no answer: after the kill, that is every worker's last.
/// </summary>
internal sealed class MixedLoad(Uri baseAddress, Credentials credentials, long listId, CrashTags tags, int clients, int seed) : IDisposable
{
    private readonly HttpClient[] _clients = [.. Enumerable.Range(0, clients).Select(_ => Load.Client(baseAddress, credentials))];
    private readonly List<ContactHistory>[] _contacts = [.. Enumerable.Range(0, clients).Select(_ => new List<ContactHistory>())];
    private readonly List<string> _problems = [];
    private readonly TaskCompletionSource _allAnswering = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _notYetAnswered = clients;
    private int _inFlight;
    private int _problemCount;
    private volatile bool _killing;

    /// <summary>Requests sent and not yet answered, right now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public IEnumerable<ContactHistory> Contacts => _contacts.SelectMany(c => c);

    /// <summary>Requests refused (not 2xx), answered without what the wire contract promises, or unanswered before the kill: each is a failure of the trial.</summary>
    public int ProblemCount => Volatile.Read(ref _problemCount);

    /// <summary>The first few of them.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>
    /// Done when every worker has had its first answer: from then on the load runs at full speed (the
    /// server's first requests wait for the JIT, and a kill then would find little in flight).
    /// </summary>
    public Task AllAnswering => _allAnswering.Task;

    /// <summary>Runs every worker until its first request without an answer; call <see cref="Killing"/> before the kill.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, _clients.Length).Select(w => Task.Run(() => WorkAsync(w, cancellationToken), cancellationToken)));

    /// <summary>From now on, a request without an answer is the kill's doing, not a failure.</summary>
    public void Killing() => _killing = true;

    private async Task WorkAsync(int worker, CancellationToken cancellationToken)
    {
        var random = new Random(unchecked(seed * 397 + worker + 1));
        var mine = _contacts[worker];
        var existing = new List<ContactHistory>();
        var sequence = 0;
        var waiting = true;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var (contact, write) = Next(worker, random, mine, existing, ref sequence);
                var isNew = contact.Id is null;
                if (!await SendAsync(worker, contact, write, cancellationToken)) return;
                if (isNew && contact.Id is not null) existing.Add(contact);
                if (!waiting) continue;
                waiting = false;
                Answering();
            }
        }
        finally
        {
            if (waiting) Answering();
        }
    }

    /// <summary>Sends one write and notes its outcome; false when it got no answer (the server is gone).</summary>
    private async Task<bool> SendAsync(int worker, ContactHistory contact, Write write, CancellationToken cancellationToken)
    {
        contact.Writes.Add(write);
        Interlocked.Increment(ref _inFlight);
        HttpStatusCode status;
        string body;
        try
        {
            using var request = Load.Request(Call(contact, write));
            using var response = await _clients[worker].SendAsync(request, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
            status = response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or IOException || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (!_killing) Note($"{write.Kind} {contact.Email} got no answer before the kill: {e.Message}");
            return false;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
        if (status != HttpStatusCode.OK)
        {
            write.Outcome = Outcome.Refused;
            Note($"{write.Kind} {contact.Email} → {(int)status} {Load.Shorten(body)}");
            return true;
        }
        write.Outcome = Outcome.Answered;
        if (contact.Id is null && write.Kind == WriteKind.AddOrUpdate)
        {
            contact.Id = ContactId(body);
            if (contact.Id is null) Note($"add-or-update of {contact.Email} answered 200 without the contact's id: {Load.Shorten(body)}");
        }
        return true;
    }

    private void Answering()
    {
        if (Interlocked.Decrement(ref _notYetAnswered) == 0) _allAnswering.TrySetResult();
    }

    /// <summary>A quarter of the calls create a contact; the rest go to one of the worker's contacts that exist.</summary>
    private (ContactHistory, Write) Next(int worker, Random random, List<ContactHistory> mine, List<ContactHistory> existing, ref int sequence)
    {
        var value = string.Create(CultureInfo.InvariantCulture, $"w{worker}v{++sequence}");
        var roll = random.NextDouble();
        if (existing.Count == 0 || roll < 0.25)
        {
            var created = new ContactHistory(string.Create(CultureInfo.InvariantCulture, $"w{worker}-{mine.Count}@crash.bench.example"));
            mine.Add(created);
            return (created, new Write(WriteKind.AddOrUpdate, value, 0));
        }
        var contact = existing[random.Next(existing.Count)];
        return roll switch
        {
            < 0.45 => (contact, new Write(WriteKind.AddOrUpdate, value, 0)),
            < 0.60 => (contact, new Write(WriteKind.Tag, null, tags.Start)),
            < 0.75 => (contact, new Write(WriteKind.Tag, null, tags.Trigger)),
            _ => (contact, new Write(random.Next(2) == 0 ? WriteKind.Tag : WriteKind.Untag, null, tags.Churn[random.Next(tags.Churn.Length)])),
        };
    }

    private Call Call(ContactHistory contact, Write write) => write.Kind switch
    {
        WriteKind.AddOrUpdate => new Call(HttpMethod.Post, "/subscriber",
            Workloads.Json(new { email = contact.Email, listid = listId, fields = new { fieldFirstName = write.Value } })),
        WriteKind.Tag => new Call(HttpMethod.Post, "/subscriber/tag", Workloads.Json(new { email = contact.Email, tagids = new[] { write.TagId } })),
        _ => new Call(HttpMethod.Post, "/subscriber/untag", Workloads.Json(new { email = contact.Email, tagid = write.TagId })),
    };

    private static long? ContactId(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return long.TryParse(document.RootElement.GetProperty("id").GetString(), CultureInfo.InvariantCulture, out var id) ? id : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private void Note(string problem)
    {
        Interlocked.Increment(ref _problemCount);
        lock (_problems) if (_problems.Count < 10) _problems.Add(problem);
    }

    public void Dispose()
    {
        foreach (var client in _clients) client.Dispose();
    }
}
