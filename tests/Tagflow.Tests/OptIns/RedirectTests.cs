using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.OptIns;

/// <summary>
/// POST /list/redirect (listid, email): the pending URL while the contact waits to confirm, the
/// thank-you URL once subscribed; Tagflow's own plain pages where the process names none.
/// </summary>
public sealed class RedirectTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task APendingContactGetsThePendingUrlAndASubscribedOneTheThankYouUrl(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var pages = new { pendingurl = "https://example.com/pending", thankyouurl = "https://example.com/thanks" };
        var doubleOptIn = await ProcessManagementTests.CreateAsync(client, new { name = "Double", pages.pendingurl, pages.thankyouurl });
        var singleOptIn = await ProcessManagementTests.CreateAsync(client, new { name = "Single", usesingleoptin = true, text = "Danke!", pages.pendingurl, pages.thankyouurl });
        await AddAsync(client, new { email = "pending@example.com", listid = doubleOptIn });
        await AddAsync(client, new { email = "subscribed@example.com", listid = singleOptIn });

        Assert.Equal("https://example.com/pending", await RedirectAsync(client, doubleOptIn, "pending@example.com"));
        Assert.Equal("https://example.com/thanks", await RedirectAsync(client, doubleOptIn, " Subscribed@Example.com "));
        Assert.Equal("https://example.com/thanks", await RedirectAsync(client, singleOptIn, "subscribed@example.com"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WithoutUrlsOfItsOwnAProcessSendsContactsToTagflowsPagesWhichAnswer(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var predefined = await PredefinedListIdAsync(client);
        var single = await ProcessManagementTests.CreateAsync(client, new { name = "Single", usesingleoptin = true, text = "Danke!" });
        await AddAsync(client, new { email = "pending@example.com" });
        await AddAsync(client, new { email = "subscribed@example.com", listid = single });

        var pending = await RedirectAsync(client, long.Parse(predefined, System.Globalization.CultureInfo.InvariantCulture), "pending@example.com");
        var thanks = await RedirectAsync(client, single, "subscribed@example.com");

        Assert.Equal(new Uri(host.BaseAddress, "/optin/pending").ToString(), pending);
        Assert.Equal(new Uri(host.BaseAddress, "/optin/thanks").ToString(), thanks);
        foreach (var page in new[] { pending, thanks })
        {
            using var response = await host.Client.GetAsync(page); // no credentials: the contact's browser opens it
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownOrForeignProcessIsError402AndAnUnknownAddressError7(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var annas = await ProcessManagementTests.CreateAsync(anna, new { name = "Double" });
        await AddAsync(anna, new { email = "anna@example.com", listid = annas });
        await AddAsync(bert, new { email = "bert@example.com" });

        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/list/redirect", new { listid = 424242, email = "anna@example.com" }), 402);
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/list/redirect", new { listid = annas, email = "bert@example.com" }), 402);
        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/list/redirect", new { listid = annas, email = "bert@example.com" }), 7);
        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/list/redirect", new { listid = annas, email = "not an address" }), 7);
        await WireAssert.MessageAsync(await anna.PostAsJsonAsync("/list/redirect", new { email = "anna@example.com" }), HttpStatusCode.BadRequest);
        await WireAssert.MessageAsync(await anna.PostAsJsonAsync("/list/redirect", new { listid = annas }), HttpStatusCode.BadRequest);
    }

    private static async Task<string> RedirectAsync(HttpClient client, long listId, string email)
    {
        var answer = await WireAssert.OkAsync(await client.PostAsJsonAsync("/list/redirect", new { listid = listId, email }));
        return Assert.Single(answer.EnumerateArray()).GetString()!;
    }
}
