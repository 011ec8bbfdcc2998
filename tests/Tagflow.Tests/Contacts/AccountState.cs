using System.Text;

namespace Tagflow.Tests.Contacts;

/// <summary>
/// All of an account's contacts as the API shows them, each in full, and its event feed. A refused
/// request must leave this exactly as it was.
/// </summary>
internal sealed record AccountState(string Contacts, string Events)
{
    public static async Task<AccountState> ReadAsync(HttpClient client)
    {
        var contacts = new StringBuilder();
        foreach (var id in await ContactCalls.ListAsync(client))
            contacts.AppendLine(await client.GetStringAsync($"/subscriber/{id}"));
        return new AccountState(contacts.ToString(), await client.GetStringAsync("/events?limit=1000"));
    }

    /// <summary>Asserts that the account's contacts and events are still what they were.</summary>
    public async Task AssertUnchangedAsync(HttpClient client)
    {
        var now = await ReadAsync(client);
        Assert.Equal(Contacts, now.Contacts);
        Assert.Equal(Events, now.Events);
    }
}
