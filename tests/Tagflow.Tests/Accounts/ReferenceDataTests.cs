using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Accounts;

/// <summary>
/// Each instance keeps an account's data fields, opt-in processes, tags and blocklist in memory.
/// A change to them by any path (the API, another instance, the database by hand) is seen by the
/// very next request: database triggers raise the account's reference version with every change.
/// </summary>
public sealed class ReferenceDataTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryChangeToAnAccountsReferenceDataRaisesItsVersionAndNoOtherAccounts(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var berts = await VersionAsync(host, "bert");
        var seen = new List<long> { await VersionAsync(host, "anna") };

        async Task StepAsync(Func<Task> change)
        {
            await change();
            var version = await VersionAsync(host, "anna");
            Assert.True(version > seen[^1], $"The version stayed at {version} after step {seen.Count}.");
            seen.Add(version);
        }

        var tag = 0L;
        await StepAsync(async () => tag = await CreateTagAsync(anna, "Kunde"));
        await StepAsync(async () => (await anna.PutAsJsonAsync($"/tag/{tag}", new { name = "Stammkunde" })).EnsureSuccessStatusCode());
        await StepAsync(async () => (await anna.DeleteAsync($"/tag/{tag}")).EnsureSuccessStatusCode());
        var field = "";
        await StepAsync(async () => field = await CreateFieldAsync(anna, "Kundennummer", "number"));
        await StepAsync(async () => (await anna.PutAsJsonAsync($"/field/{field}", new { name = "Kunden-Nr." })).EnsureSuccessStatusCode());
        await StepAsync(async () => (await anna.DeleteAsync($"/field/{field}")).EnsureSuccessStatusCode());
        await StepAsync(async () => (await anna.PostAsJsonAsync("/blocklist", new { value = "example.org" })).EnsureSuccessStatusCode());
        await StepAsync(async () => (await anna.DeleteAsync("/blocklist/example.org")).EnsureSuccessStatusCode());
        var process = 0L;
        await StepAsync(async () => process = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna"));
        await StepAsync(() => host.WithServicesAsync(sp =>
            sp.GetRequiredService<TagflowDb>().OptInProcesses.Where(p => p.Id == process).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "Renamed"))));
        await StepAsync(() => host.WithServicesAsync(sp =>
            sp.GetRequiredService<TagflowDb>().OptInProcesses.Where(p => p.Id == process).ExecuteDeleteAsync()));

        // Contacts are not reference data: adding, tagging and changing them leaves the version alone.
        var kunde = await CreateTagAsync(anna, "Neu");
        var before = await VersionAsync(host, "anna");
        await AddAsync(anna, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        await TagAsync(anna, "anna@example.com", kunde);
        Assert.Equal(before, await VersionAsync(host, "anna"));
        Assert.Equal(berts, await VersionAsync(host, "bert"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AChangeMadeOnAnotherInstanceIsSeenByTheNextRequest(string provider)
    {
        await using var first = await TagflowHost.StartAsync(provider);
        await using var second = await TagflowHost.StartOnAsync(first.Database);
        using var onFirst = await first.NewAccountClientAsync("anna");
        using var onSecond = second.SessionClient(await second.LoginAsync("anna"));
        var tag = await CreateTagAsync(onFirst, "Kunde");
        var field = await CreateFieldAsync(onFirst, "Kundennummer", "number");
        // The first instance now holds the account's fields and tags.
        await AddAsync(onFirst, new { email = "anna@example.com", tagid = tag, fields = new Dictionary<string, string> { [field] = "1" } });

        (await onSecond.DeleteAsync($"/tag/{tag}")).EnsureSuccessStatusCode();
        (await onSecond.DeleteAsync($"/field/{field}")).EnsureSuccessStatusCode();
        (await onSecond.PostAsJsonAsync("/blocklist", new { value = "blocked.example" })).EnsureSuccessStatusCode();
        var newTag = await CreateTagAsync(onSecond, "Neu");
        var newField = await CreateFieldAsync(onSecond, "Neu", "line");

        await WireAssert.RefusedAsync(await onFirst.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", tagid = tag }), 403);
        await WireAssert.RefusedAsync(await onFirst.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { tag } }), 403);
        await WireAssert.RefusedAsync(await onFirst.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", fields = new Dictionary<string, string> { [field] = "2" } }), 8);
        await WireAssert.RefusedAsync(await onFirst.PostAsJsonAsync("/subscriber", new { email = "bert@mail.blocked.example" }), 30);
        var contact = await AddAsync(onFirst, new { email = "bert@example.com", tagid = newTag, fields = new Dictionary<string, string> { [newField] = "Bert" } });
        Assert.Equal([Id(newTag)], TagIds(contact));
        Assert.Equal("Bert", Text(contact, newField));
        Assert.False(contact.TryGetProperty(field, out _));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ABlocklistEntryWrittenStraightIntoTheDatabaseRefusesTheNextRequest(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        await AddAsync(anna, new { email = "first@example.com" });

        // As an operator's script would, past every instance.
        var blocked = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            var accountId = await db.Accounts.Where(a => a.Username == "anna").Select(a => a.Id).SingleAsync();
            return await db.Database.ExecuteSqlAsync(
                $"INSERT INTO \"Blocklist\" (\"AccountId\", \"Value\", \"CreatedAt\") VALUES ({accountId}, {"example.com"}, {DateTime.UtcNow})");
        });
        Assert.Equal(1, blocked);

        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber", new { email = "second@example.com" }), 30);
        var response = await anna.PostAsJsonAsync("/subscriber", new { email = "second@example.org" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AMissingTriggerIsCreatedAgainWhenTheServerStarts(string provider)
    {
        await using var first = await TagflowHost.StartAsync(provider);
        using (var anna = await first.NewAccountClientAsync("anna")) await AddAsync(anna, new { email = "first@example.com" });
        // As a migration that rebuilds the table would leave it on SQLite.
        await first.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().Database.ExecuteSqlRawAsync(provider == Providers.Sqlite
            ? "DROP TRIGGER \"TR_Blocklist_INSERT_ReferenceVersion\""
            : "DROP TRIGGER \"TR_Blocklist_ReferenceVersion\" ON \"Blocklist\""));

        await using var restarted = await TagflowHost.StartOnAsync(first.Database);
        using var client = restarted.SessionClient(await restarted.LoginAsync("anna"));
        await AddAsync(client, new { email = "second@example.com" }); // the restarted server now holds the blocklist
        var before = await VersionAsync(restarted, "anna");
        (await client.PostAsJsonAsync("/blocklist", new { value = "example.com" })).EnsureSuccessStatusCode();

        Assert.True(await VersionAsync(restarted, "anna") > before);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "third@example.com" }), 30);
    }

    private static Task<long> VersionAsync(TagflowHost host, string username) => host.WithServicesAsync(sp =>
        sp.GetRequiredService<TagflowDb>().Accounts.Where(a => a.Username == username).Select(a => a.ReferenceVersion).SingleAsync());
}
