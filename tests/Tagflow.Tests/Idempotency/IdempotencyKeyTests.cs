using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Idempotency;

/// <summary>Idempotency-Key on the API's writes, Stripe's way: a repeat gets the first answer and does nothing twice.</summary>
public sealed class IdempotencyKeyTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RepeatingAWriteWithItsKeyAnswersTheFirstAnswerWithoutDoingItAgain(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        using var first = await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1");
        using var again = await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1");
        using var addFirst = await SendAsync(client, HttpMethod.Post, "/subscriber", new { email = "ann@example.com" }, "key-2");
        using var addAgain = await SendAsync(client, HttpMethod.Post, "/subscriber", new { email = "ann@example.com" }, "key-2");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(first.Content.Headers.ContentType, again.Content.Headers.ContentType);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(["true"], again.Headers.GetValues("Idempotent-Replayed"));
        Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
        Assert.Equal(await addFirst.Content.ReadAsStringAsync(), await addAgain.Content.ReadAsStringAsync());
        // One contact.created; a second add-or-update would have changed nothing, but the key means it did not even run.
        Assert.Single(await EventsAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CopiesOfAKeyedWriteSentAtOnceDoItOnce(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var response = await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        // Each copy either ran (one did), got the first answer again, or was asked to come back while the first ran.
        var done = answers.Where(a => a.StatusCode == HttpStatusCode.OK).Select(a => a.Body).Distinct().ToList();
        Assert.Single(done);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AStreamedAnswerIsSentWholeAndAnsweredAgainWhole(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        for (var i = 0; i < 3; i++)
        {
            await AddIdAsync(client, $"c{i}@example.com");
            await TagAsync(client, $"c{i}@example.com", tag);
        }

        var first = await WireAssert.OkAsync(await SendAsync(client, HttpMethod.Post, "/subscriber/tagged", new { tagid = tag, status = AllStatuses }, "key-1"));
        using var again = await SendAsync(client, HttpMethod.Post, "/subscriber/tagged", new { tagid = tag, status = AllStatuses }, "key-1");

        Assert.Equal(3, first.EnumerateObject().Count());
        Assert.Equal(first.GetRawText(), (await WireAssert.OkAsync(again)).GetRawText());
        Assert.Equal(["true"], again.Headers.GetValues("Idempotent-Replayed"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ARefusalIsAnsweredAgainToo(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var taken = await CreateTagAsync(client, "Kunde");

        using var first = await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1");
        await AssertTrueAsync(await client.DeleteAsync($"/tag/{taken}"));
        using var again = await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1");

        Assert.Equal(601, (await WireAssert.RefusedAsync(first, 601)).GetProperty("error").GetInt32());
        Assert.Equal(HttpStatusCode.NotAcceptable, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(["true"], again.Headers.GetValues("Idempotent-Replayed"));
        // The name is free now, but the repeat did not run: it got the first answer.
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheSameKeyWithAnotherRequestIsRefusedWith409AndDoesNothing(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        await WireAssert.OkAsync(await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1"));
        var message = await WireAssert.MessageAsync(await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Interessent" }, "key-1"), HttpStatusCode.Conflict);
        await WireAssert.MessageAsync(await SendAsync(client, HttpMethod.Post, "/field", new { name = "Kunde" }, "key-1"), HttpStatusCode.Conflict);

        Assert.Contains("new key", message, StringComparison.Ordinal);
        Assert.Equal(["Kunde"], (await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject().Select(t => t.Value.GetString()));
        Assert.Equal(16, (await WireAssert.OkAsync(await client.GetAsync("/field"))).EnumerateObject().Count());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task KeysBelongToTheirAccount(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");

        var annas = await WireAssert.OkAsync(await SendAsync(anna, HttpMethod.Post, "/tag", new { name = "Kunde" }, "shared"));
        var berts = await WireAssert.OkAsync(await SendAsync(bert, HttpMethod.Post, "/tag", new { name = "Kunde" }, "shared"));

        Assert.NotEqual(annas.GetRawText(), berts.GetRawText());
        Assert.Single((await WireAssert.OkAsync(await bert.GetAsync("/tag"))).EnumerateObject());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ARepeatWhileTheFirstIsStillRunningIsAskedToComeBackAndOneCutOffIsRefused(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await WireAssert.OkAsync(await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1"));
        // As if the first request had taken the key and not been answered yet.
        await SetAsync(host, "key-1", r => r.SetProperty(x => x.Status, (int?)null));

        using var running = await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1");
        await SetAsync(host, "key-1", r => r.SetProperty(x => x.CreatedAt, host.Clock.GetUtcNow().UtcDateTime.AddMinutes(-3)));
        using var cutOff = await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1");

        Assert.Contains("still being answered", await WireAssert.MessageAsync(running, HttpStatusCode.Conflict), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1), running.Headers.RetryAfter?.Delta);
        Assert.Contains("cut off", await WireAssert.MessageAsync(cutOff, HttpStatusCode.Conflict), StringComparison.Ordinal);
        Assert.Null(cutOff.Headers.RetryAfter);
        Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AKeyIsForgottenAfterADay(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var first = Assert.Single((await WireAssert.OkAsync(await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1"))).EnumerateArray()).GetInt64();
        await AssertTrueAsync(await client.DeleteAsync($"/tag/{first}"));

        host.Clock.Advance(TimeSpan.FromHours(25));
        var second = Assert.Single((await WireAssert.OkAsync(await SendAsync(client, HttpMethod.Post, "/tag", new { name = "Kunde" }, "key-1"))).EnumerateArray()).GetInt64();

        Assert.NotEqual(first, second);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AKeyThatIsNotVisibleAsciiIsRefusedWith400AndChangesNothing(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        foreach (var key in new[] { "two words", new string('k', 256), "tab\tkey" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/tag") { Content = JsonContent.Create(new { name = "Kunde" }) };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            Assert.Contains("Idempotency-Key", await WireAssert.MessageAsync(await client.SendAsync(request), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        }
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object body, string key)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    private static Task SetAsync(TagflowHost host, string key,
        Func<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Tagflow.Idempotency.IdempotentRequest>, Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Tagflow.Idempotency.IdempotentRequest>> set) =>
        host.WithServicesAsync(async sp => await sp.GetRequiredService<TagflowDb>().IdempotentRequests.Where(r => r.Key == key).ExecuteUpdateAsync(s => set(s)));
}
