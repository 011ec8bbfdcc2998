using System.Text.Json;

namespace Tagflow.Bench;

/// <summary>
/// The calls of each phase. Each worker creates its own contacts and updates only those, so no two
/// workers race for one address and an update always finds its contact.
/// </summary>
internal sealed class Workloads(int clients)
{
    private readonly int[] _created = new int[clients];
    private readonly long[] _sequence = new long[clients];
    private readonly Random[] _random = [.. Enumerable.Range(0, clients).Select(w => new Random(w + 1))];
    private int _toFill;

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

    private Call Create(int worker)
    {
        var call = Subscribe(worker, _created[worker]);
        return call with { OnOk = () => _created[worker]++ };
    }

    /// <summary>Through the predefined opt-in process (no listid), with a first name that differs on every call.</summary>
    private Call Subscribe(int worker, int index) => new(HttpMethod.Post, "/subscriber", Json(new
    {
        email = Addresses.Of(worker, index),
        fields = new { fieldFirstName = Addresses.FirstName(++_sequence[worker]) },
    }));

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
