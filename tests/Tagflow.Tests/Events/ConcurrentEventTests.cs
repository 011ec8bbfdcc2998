using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Events;

/// <summary>
/// Concurrent add-or-update requests write exactly one contact.created per contact, and a poller
/// reading the feed while they run sees every event once, in order, none skipped.
/// </summary>
public sealed class ConcurrentEventTests
{
    /// <summary>Three bursts of twenty: more chances for a late commit to slip past the poller.</summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TwentyParallelAddsOfDistinctAddressesWriteOneCreatedEventEach(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var writersDone = new TaskCompletionSource();
        var poller = PollUntilDoneAsync(client, writersDone.Task);

        var ids = await WriteAsync(writersDone, async () =>
        {
            var all = new List<string>();
            for (var round = 0; round < 3; round++)
                all.AddRange(await Task.WhenAll(Enumerable.Range(0, 20).Select(i => AddAsync(client, $"parallel{round}-{i}@example.com"))));
            return all;
        });
        var polled = await poller;

        Assert.Equal(60, ids.Distinct().Count());
        var feed = await EventFeed.AllAsync(client, limit: 3);
        Assert.All(feed, e => Assert.Equal("contact.created", EventFeed.Type(e)));
        Assert.Equal(ids.Order(StringComparer.Ordinal), feed.Select(EventFeed.ContactId).Order(StringComparer.Ordinal));
        EventFeedTests.AssertStrictlyIncreasing(feed.Select(EventFeed.Id));
        Assert.Equal(feed.Select(EventFeed.Id), polled.Select(EventFeed.Id));
        Assert.Equal(ids.Order(StringComparer.Ordinal),
            (await WireAssert.OkAsync(await client.GetAsync("/subscriber?status=pending,subscribed,unsubscribed"))).EnumerateArray().Select(i => i.GetString()!).Order(StringComparer.Ordinal));
    }

    /// <summary>Five bursts, each of ten requests for one address (in two spellings of its case).</summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TenParallelAddsOfTheSameAddressCreateOneContactAndOneEvent(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var writersDone = new TaskCompletionSource();
        var poller = PollUntilDoneAsync(client, writersDone.Task);

        var bursts = await WriteAsync(writersDone, async () =>
        {
            var all = new List<string[]>();
            for (var round = 0; round < 5; round++)
                all.Add(await Task.WhenAll(Enumerable.Range(0, 10).Select(i => AddAsync(client, i % 2 == 0 ? $"same{round}@example.com" : $"Same{round}@Example.com"))));
            return all;
        });
        var polled = await poller;

        var ids = bursts.Select(burst => Assert.Single(burst.Distinct())).ToList();
        var feed = await EventFeed.AllAsync(client, limit: 1);
        Assert.Equal(ids.Select(id => ("contact.created", id)), feed.Select(e => (EventFeed.Type(e), EventFeed.ContactId(e))));
        Assert.Equal(feed.Select(EventFeed.Id), polled.Select(EventFeed.Id));
        Assert.Equal(ids, (await WireAssert.OkAsync(await client.GetAsync("/subscriber?status=pending,subscribed,unsubscribed"))).EnumerateArray().Select(i => i.GetString()!));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ParallelChangesOfTwoAccountsKeepEachFeedCompleteAndOrdered(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var writersDone = new TaskCompletionSource();
        var annasPoller = PollUntilDoneAsync(anna, writersDone.Task);
        var bertsPoller = PollUntilDoneAsync(bert, writersDone.Task);

        var ids = await WriteAsync(writersDone, () => Task.WhenAll(Enumerable.Range(0, 12).Select(i => AddAsync(i % 2 == 0 ? anna : bert, $"c{i}@example.com"))));
        var (annasPolled, bertsPolled) = (await annasPoller, await bertsPoller);

        var annasFeed = await EventFeed.AllAsync(anna, limit: 2);
        var bertsFeed = await EventFeed.AllAsync(bert, limit: 2);
        Assert.Equal(ids.Where((_, i) => i % 2 == 0).Order(StringComparer.Ordinal), annasFeed.Select(EventFeed.ContactId).Order(StringComparer.Ordinal));
        Assert.Equal(ids.Where((_, i) => i % 2 == 1).Order(StringComparer.Ordinal), bertsFeed.Select(EventFeed.ContactId).Order(StringComparer.Ordinal));
        EventFeedTests.AssertStrictlyIncreasing(annasFeed.Select(EventFeed.Id));
        EventFeedTests.AssertStrictlyIncreasing(bertsFeed.Select(EventFeed.Id));
        Assert.Equal(annasFeed.Select(EventFeed.Id), annasPolled.Select(EventFeed.Id));
        Assert.Equal(bertsFeed.Select(EventFeed.Id), bertsPolled.Select(EventFeed.Id));
    }

    /// <summary>Runs the writes, then tells the pollers they are done, even when one failed.</summary>
    private static async Task<T> WriteAsync<T>(TaskCompletionSource writersDone, Func<Task<T>> writes)
    {
        try
        {
            return await writes();
        }
        finally
        {
            writersDone.SetResult();
        }
    }

    /// <summary>Add-or-update of one address; asserts 200 and answers the contact id.</summary>
    private static async Task<string> AddAsync(HttpClient client, string email)
    {
        using var response = await client.PostAsJsonAsync("/subscriber", new { email, fields = new { fieldFirstName = "Anna" } });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{email}: expected 200, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Polls two at a time from the start, as an integration does, while writes run; after they are
    /// done, drains the feed once more. Answers every event it saw, in the order it saw them.
    /// </summary>
    private static async Task<List<JsonElement>> PollUntilDoneAsync(HttpClient client, Task writersDone)
    {
        await Task.Yield();
        var seen = new List<JsonElement>();
        long cursor = 0;
        while (true)
        {
            var finished = writersDone.IsCompleted;
            var page = await EventFeed.ReadAsync(client, cursor, limit: 2);
            seen.AddRange(page.Events);
            cursor = page.Cursor;
            if (page.Events.Count == 0 && finished) return seen;
        }
    }
}
