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
/// The changes of requests that arrive together share one transaction and one commit, each under
/// its own savepoint (on PostgreSQL, those of one account, under its lock). A change that refuses or
/// fails is undone alone; every other one is kept, and nobody is answered before the commit.
/// </summary>
public sealed class GroupCommitTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AChangeThatRefusesOrFailsIsUndoneAloneAndTheOthersOfItsBatchAreKept(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var account = await host.AddAccountAsync("anna");

        var names = await host.WithServicesAsync(async services =>
        {
            var groupCommit = services.GetRequiredService<GroupCommit>();
            Task<string> Change(string name, bool keep, bool fail = false) => groupCommit.RunAsync<string>(account.Id, async (db, cancellationToken) =>
            {
                db.Tags.Add(new Tag { AccountId = account.Id, Name = name, NormalizedName = name, CreatedAt = DateTime.UtcNow });
                await db.SaveChangesAsync(cancellationToken);
                if (fail) throw new InvalidOperationException("The change failed after writing.");
                return keep ? WriteOutcome<string>.Kept(name) : WriteOutcome<string>.Refused(name);
            }, CancellationToken.None);

            // Hold the writer, so that the changes queue up and go in together once it is free.
            Task<string> first, refused, failed, last;
            await using (await WriterHold.TakeAsync(services, account.Id))
            {
                first = Change("first", keep: true);
                refused = Change("refused", keep: false);
                failed = Change("failed", keep: true, fail: true);
                last = Change("last", keep: true);
            }

            Assert.Equal("first", await first);
            Assert.Equal("refused", await refused);
            await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
            Assert.Equal("last", await last);
            return await services.GetRequiredService<TagflowDb>().Tags.Where(t => t.AccountId == account.Id)
                .OrderBy(t => t.Id).Select(t => t.Name).ToListAsync();
        });

        Assert.Equal(["first", "last"], names);
    }

    /// <summary>
    /// On PostgreSQL a change's savepoint goes ahead of its first query, in the same round trip, and the
    /// release of the change before it with it: changes that read first, that refuse before reading
    /// anything, that fail in the database or that bulk-update are each still undone alone, and what
    /// a change reads is what the changes before it kept.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ChangesThatReadFirstOrSendNothingAreUndoneAloneAndReadWhatTheChangesBeforeThemKept(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var account = await host.AddAccountAsync("anna");

        var names = await host.WithServicesAsync(async services =>
        {
            var seedDb = services.GetRequiredService<TagflowDb>();
            seedDb.Tags.Add(NewTag(account.Id, "seed"));
            await seedDb.SaveChangesAsync();
            var groupCommit = services.GetRequiredService<GroupCommit>();
            Task<int> Change(Func<TagflowDb, CancellationToken, Task<WriteOutcome<int>>> change) => groupCommit.RunAsync(account.Id, change, CancellationToken.None);
            Task<int> Named(TagflowDb db, string name, CancellationToken cancellationToken) =>
                db.Tags.CountAsync(t => t.AccountId == account.Id && t.Name == name, cancellationToken);

            Task<int> readThenKeep, refusedBeforeReading, readThenRefuse, failsOnSave, keptWithoutReading, updateThenRefuse, readsWhatWasKept;
            await using (await WriterHold.TakeAsync(services, account.Id))
            {
                readThenKeep = Change(async (db, ct) =>
                {
                    var seeds = await Named(db, "seed", ct);
                    db.Tags.Add(NewTag(account.Id, "a"));
                    return WriteOutcome<int>.Kept(seeds);
                });
                refusedBeforeReading = Change((_, _) => Task.FromResult(WriteOutcome<int>.Refused(-1)));
                readThenRefuse = Change(async (db, ct) =>
                {
                    db.Tags.Add(NewTag(account.Id, "c"));
                    await db.SaveChangesAsync(ct);
                    return WriteOutcome<int>.Refused(await Named(db, "c", ct));
                });
                failsOnSave = Change(async (db, ct) =>
                {
                    await Named(db, "a", ct);
                    db.Tags.Add(NewTag(account.Id, "a")); // the same name again: the unique index refuses it
                    return WriteOutcome<int>.Kept(0);
                });
                keptWithoutReading = Change((_, _) => Task.FromResult(WriteOutcome<int>.Kept(-2)));
                updateThenRefuse = Change(async (db, ct) =>
                {
                    var renamed = await db.Tags.Where(t => t.AccountId == account.Id && t.Name == "seed").ExecuteUpdateAsync(u => u.SetProperty(t => t.Name, "renamed"), ct);
                    return WriteOutcome<int>.Refused(renamed);
                });
                readsWhatWasKept = Change(async (db, ct) =>
                {
                    var seen = await Named(db, "a", ct) * 10 + await Named(db, "c", ct) + await Named(db, "seed", ct) * 100;
                    db.Tags.Add(NewTag(account.Id, "g"));
                    return WriteOutcome<int>.Kept(seen);
                });
            }

            Assert.Equal(1, await readThenKeep);
            Assert.Equal(-1, await refusedBeforeReading);
            Assert.Equal(1, await readThenRefuse); // it saw its own row, which its refusal then undid
            await Assert.ThrowsAsync<DbUpdateException>(() => failsOnSave);
            Assert.Equal(-2, await keptWithoutReading);
            Assert.Equal(1, await updateThenRefuse);
            Assert.Equal(110, await readsWhatWasKept); // "a" kept, "c" undone, "seed" not renamed
            return await services.GetRequiredService<TagflowDb>().Tags.Where(t => t.AccountId == account.Id)
                .OrderBy(t => t.Id).Select(t => t.Name).ToListAsync();
        });

        Assert.Equal(["seed", "a", "g"], names);
    }

    private static Tag NewTag(long accountId, string name) => new() { AccountId = accountId, Name = name, NormalizedName = name, CreatedAt = DateTime.UtcNow };

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AChangeWhoseRequestWasCancelledWhileQueuedIsNotMade(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var account = await host.AddAccountAsync("anna");

        var names = await host.WithServicesAsync(async services =>
        {
            var groupCommit = services.GetRequiredService<GroupCommit>();
            using var cancelled = new CancellationTokenSource();
            Task<string> change;
            await using (await WriterHold.TakeAsync(services, account.Id))
            {
                change = groupCommit.RunAsync<string>(account.Id, (db, _) =>
                {
                    db.Tags.Add(new Tag { AccountId = account.Id, Name = "never", NormalizedName = "never", CreatedAt = DateTime.UtcNow });
                    return Task.FromResult(WriteOutcome<string>.Kept("never"));
                }, cancelled.Token);
                await cancelled.CancelAsync();
            }

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => change);
            return await services.GetRequiredService<TagflowDb>().Tags.Where(t => t.AccountId == account.Id).Select(t => t.Name).ToListAsync();
        });

        Assert.Empty(names);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATagDeletedWhileAChangeWaitsForTheWriterIsRefusedWith403NotAServerError(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        var accountId = await host.WithServicesAsync(services => services.GetRequiredService<TagflowDb>().Accounts.Where(a => a.Username == "anna").Select(a => a.Id).SingleAsync());
        var (tagged, added) = await host.WithServicesAsync(async services =>
        {
            Task<HttpResponseMessage> tagging, adding;
            await using (await WriterHold.TakeAsync(services, accountId))
            {
                // Both requests pass every check made before the writer, then wait for it.
                tagging = client.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { tag } });
                adding = client.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", tagid = tag });
                await Task.Delay(300);
                await services.GetRequiredService<TagflowDb>().Tags.Where(t => t.Id == tag).ExecuteDeleteAsync();
            }
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
