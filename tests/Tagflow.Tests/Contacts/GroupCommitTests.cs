using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tags;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>
/// On SQLite, the changes of requests that arrive together share one transaction and one commit,
/// each under its own savepoint. A change that refuses or fails is undone alone; every other one is
/// kept, and nobody is answered before the commit.
/// </summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task AChangeThatRefusesOrFailsIsUndoneAloneAndTheOthersOfItsBatchAreKept()
    {
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite);
        var account = await host.AddAccountAsync("anna");

        var names = await host.WithServicesAsync(async services =>
        {
            var gate = services.GetRequiredService<SqliteWriteGate>();
            var groupCommit = services.GetRequiredService<SqliteGroupCommit>();
            Task<string> Change(string name, bool keep, bool fail = false) => groupCommit.RunAsync<string>(async (db, cancellationToken) =>
            {
                db.Tags.Add(new Tag { AccountId = account.Id, Name = name, NormalizedName = name, CreatedAt = DateTime.UtcNow });
                await db.SaveChangesAsync(cancellationToken);
                if (fail) throw new InvalidOperationException("The change failed after writing.");
                return keep ? WriteOutcome<string>.Kept(name) : WriteOutcome<string>.Refused(name);
            }, CancellationToken.None);

            // Hold the writer, so that the changes queue up and go in together once it is free.
            await gate.Semaphore.WaitAsync();
            var first = Change("first", keep: true);
            var refused = Change("refused", keep: false);
            var failed = Change("failed", keep: true, fail: true);
            var last = Change("last", keep: true);
            gate.Semaphore.Release();

            Assert.Equal("first", await first);
            Assert.Equal("refused", await refused);
            await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
            Assert.Equal("last", await last);
            return await services.GetRequiredService<TagflowDb>().Tags.Where(t => t.AccountId == account.Id)
                .OrderBy(t => t.Id).Select(t => t.Name).ToListAsync();
        });

        Assert.Equal(["first", "last"], names);
    }

    [Fact]
    public async Task AChangeWhoseRequestWasCancelledWhileQueuedIsNotMade()
    {
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite);
        var account = await host.AddAccountAsync("anna");

        var names = await host.WithServicesAsync(async services =>
        {
            var gate = services.GetRequiredService<SqliteWriteGate>();
            var groupCommit = services.GetRequiredService<SqliteGroupCommit>();
            using var cancelled = new CancellationTokenSource();
            await gate.Semaphore.WaitAsync();
            var change = groupCommit.RunAsync<string>((db, _) =>
            {
                db.Tags.Add(new Tag { AccountId = account.Id, Name = "never", NormalizedName = "never", CreatedAt = DateTime.UtcNow });
                return Task.FromResult(WriteOutcome<string>.Kept("never"));
            }, cancelled.Token);
            await cancelled.CancelAsync();
            gate.Semaphore.Release();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => change);
            return await services.GetRequiredService<TagflowDb>().Tags.Where(t => t.AccountId == account.Id).Select(t => t.Name).ToListAsync();
        });

        Assert.Empty(names);
    }

    [Fact]
    public async Task ATagDeletedWhileAChangeWaitsForTheWriterIsRefusedWith403NotAServerError()
    {
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        var (tagged, added) = await host.WithServicesAsync(async services =>
        {
            var gate = services.GetRequiredService<SqliteWriteGate>();
            await gate.Semaphore.WaitAsync();
            // Both requests pass every check made before the writer, then wait for it.
            var tagging = client.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { tag } });
            var adding = client.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", tagid = tag });
            await Task.Delay(300);
            await services.GetRequiredService<TagflowDb>().Tags.Where(t => t.Id == tag).ExecuteDeleteAsync();
            gate.Semaphore.Release();
            return (await tagging, await adding);
        });

        await WireAssert.RefusedAsync(tagged, 403);
        await WireAssert.RefusedAsync(added, 403);
        await before.AssertUnchangedAsync(client); // no contact, tagging or event
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/subscriber/search", new { email = "bert@example.com" }), HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ConcurrentAddsWithRefusalsAmongThemKeepEveryAcceptedContactAndNothingOfTheRefusedOnes(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddIdAsync(client, "gone@example.com");
        await UnsubscribeAsync(client, "gone@example.com");
        await AddAsync(client, new { email = "sms@example.com", smsnumber = "+49 151 12345678" });
        var before = (await EventsAsync(client)).Length;

        // Refused inside the change, where the writer finds the contact: error 4 and error 9.
        var requests = Enumerable.Range(0, 24).Select(i => (Email: $"new{i}@example.com", Sms: (string?)null, Error: 0))
            .Concat(Enumerable.Range(0, 4).Select(_ => (Email: "gone@example.com", Sms: (string?)null, Error: 4)))
            .Concat(Enumerable.Range(0, 4).Select(i => (Email: $"other{i}@example.com", Sms: (string?)"+49 (151) 1234-5678", Error: 9)))
            .OrderBy(r => r.Email.GetHashCode(StringComparison.Ordinal)).ToList();
        var responses = await Task.WhenAll(requests.Select(r => client.PostAsJsonAsync("/subscriber", r.Sms is null
            ? new Dictionary<string, object> { ["email"] = r.Email, ["fields"] = new Dictionary<string, string> { ["fieldFirstName"] = r.Email } }
            : new Dictionary<string, object> { ["email"] = r.Email, ["smsnumber"] = r.Sms, ["fields"] = new Dictionary<string, string> { ["fieldFirstName"] = r.Email } })));

        foreach (var (request, response) in requests.Zip(responses))
        {
            if (request.Error != 0)
            {
                await WireAssert.RefusedAsync(response, request.Error);
                continue;
            }
            var contact = await WireAssert.OkAsync(response);
            Assert.Equal(request.Email, Text(contact, "fieldFirstName"));
            Assert.Equal(contact.GetProperty("id").GetString(), await SearchAsync(client, request.Email));
        }
        Assert.Equal(26, (await ListAllAsync(client)).Length);
        var events = (await EventsAsync(client)).Skip(before).ToList();
        Assert.Equal(24, events.Count);
        Assert.All(events, e => Assert.Equal("contact.created", e.Type));
        foreach (var i in Enumerable.Range(0, 4))
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/subscriber/search", new { email = $"other{i}@example.com" })).StatusCode);
    }
}
