using System.Text.Json;

namespace Tagflow.Bench;

/// <summary>
/// The calls of each phase. Each worker creates its own contacts and updates only those, so no two
/// workers race for one address and an update always finds its contact; on an imported account
/// (<see cref="UseImported"/>) the updates and tags go to the imported contacts, which all share.
/// </summary>
internal sealed class Workloads(int clients)
{
    private readonly int[] _created = new int[clients];
    private readonly long[] _sequence = new long[clients];
    private readonly Random[] _random = [.. Enumerable.Range(0, clients).Select(w => new Random(w + 1))];
    private int _toFill;
    private int _imported;
    private IReadOnlyList<long> _tags = [];
    private long _taggings = -1;

    /// <summary>
    /// A prime above any contact count, so that n × Stride mod N visits every one of N contacts once
    /// before it comes back, spread over the table rather than in the order they were imported.
    /// </summary>
    private const long Stride = 2_654_435_761;

    public int Created => _created.Sum();

    /// <summary>Add-or-update: half of the calls create a contact, half update one that exists.</summary>
    public Call AddOrUpdate(int worker)
    {
        var isNew = _created[worker] == 0 || _random[worker].Next(2) == 0;
        return isNew ? Create(worker) : Subscribe(worker, _random[worker].Next(_created[worker]));
    }

    /// <summary>Sets how many contacts <see cref="Fill"/> creates: enough for the account to hold <paramref name="contacts"/>.</summary>
    public void BeginFill(int contacts) => _toFill = contacts - Created;

    /// <summary>Creates a contact while the fill has some to go; null when it has none.</summary>
    public Call? Fill(int worker) => Interlocked.Decrement(ref _toFill) >= 0 ? Create(worker) : null;

    /// <summary>Search for any contact created so far.</summary>
    public Call Search(int worker)
    {
        var random = _random[worker];
        int owner;
        do owner = random.Next(_created.Length); while (_created[owner] == 0);
        return new Call(HttpMethod.Post, "/subscriber/search", Json(new { email = Addresses.Of(owner, random.Next(_created[owner])) }));
    }

    /// <summary>
    /// Points the calls below at an account that holds <paramref name="contacts"/> imported contacts
    /// (<see cref="Addresses.OfImport"/>); <see cref="Tag"/> adds <paramref name="tags"/> to them.
    /// </summary>
    public void UseImported(int contacts, IReadOnlyList<long> tags)
    {
        _imported = contacts;
        _tags = tags;
    }

    /// <summary>Search for any imported contact.</summary>
    public Call SearchImported(int worker) =>
        new(HttpMethod.Post, "/subscriber/search", Json(new { email = Addresses.OfImport(_random[worker].Next(_imported)) }));

    /// <summary>Add-or-update on an imported account: half of the calls create a contact, half update an imported one.</summary>
    public Call AddOrUpdateImported(int worker) =>
        _random[worker].Next(2) == 0 ? Create(worker) : Subscribe(worker, Addresses.OfImport(_random[worker].Next(_imported)));

    /// <summary>
    /// Adds a tag an imported contact does not have yet: the n-th call takes contact n × <see cref="Stride"/>
    /// mod N, and the next of the tags once every contact has the one before.
    /// </summary>
    public Call Tag(int worker)
    {
        var n = Interlocked.Increment(ref _taggings);
        var contact = n % _imported * (Stride % _imported) % _imported;
        var tag = _tags[(int)(n / _imported % _tags.Count)];
        return new Call(HttpMethod.Post, "/subscriber/tag", Json(new { email = Addresses.OfImport(contact), tagids = new[] { tag } }));
    }

    private Call Create(int worker)
    {
        var call = Subscribe(worker, _created[worker]);
        return call with { OnOk = () => _created[worker]++ };
    }

    /// <summary>Through the predefined opt-in process (no listid), with a first name that differs on every call.</summary>
    private Call Subscribe(int worker, int index) => Subscribe(worker, Addresses.Of(worker, index));

    private Call Subscribe(int worker, string email) => new(HttpMethod.Post, "/subscriber", Json(new
    {
        email,
        fields = new { fieldFirstName = Addresses.FirstName(++_sequence[worker]) },
    }));

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
