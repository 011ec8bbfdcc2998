using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tagflow.Delivery;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;
using static Tagflow.Tests.OptIns.DoubleOptInTests;

namespace Tagflow.Tests.OptIns;

/// <summary>
/// Listbuilding keys: managed with account credentials, used by sign-up forms without them
/// (signin, signout, signoff), with their SmartTags, the re-subscription by the contact's own click,
/// error 100 for a wrong key, and the limits per key and address.
/// </summary>
public sealed class ListbuildingTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task KeysAreCreatedListedWithoutTheirSecretAndDeleted(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var otto = await host.NewAccountClientAsync("otto");
        var list = await ProcessManagementTests.CreateAsync(anna, new { name = "Webinar" });
        var tag = await CreateTagAsync(anna, "Webinar-Teilnehmer");

        var created = await WireAssert.OkAsync(await anna.PostAsJsonAsync("/listbuilding", new { name = "Form on the blog", listid = list, tagid = tag }));
        var apiKey = Text(created, "apikey");
        Assert.Matches("^[0-9a-f]{32}$", apiKey);
        Assert.Equal(Id(list), Text(created, "listid"));
        Assert.Equal(Id(tag), Text(created, "tagid"));

        var listed = Assert.Single((await WireAssert.OkAsync(await anna.GetAsync("/listbuilding"))).EnumerateArray());
        Assert.Equal(apiKey[..6], Text(listed, "apikey_prefix"));
        Assert.False(listed.TryGetProperty("apikey", out _));
        Assert.Empty((await WireAssert.OkAsync(await otto.GetAsync("/listbuilding"))).EnumerateArray());

        await WireAssert.RefusedAsync(await anna.DeleteAsync($"/list/{list}"), 607); // in use by the key
        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/listbuilding", new { name = "x", listid = 999_999 }), 402);
        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/listbuilding", new { name = "x", listid = list, tagid = 999_999 }), 403);
        using var nameless = await anna.PostAsJsonAsync("/listbuilding", new { listid = list });
        Assert.Equal(HttpStatusCode.BadRequest, nameless.StatusCode);

        var id = Text(created, "id");
        Assert.Equal("1", Text(listed, "enabled"));
        var formUrl = Text(listed, "formurl");
        Assert.Matches("/f/[0-9a-f]{32}$", formUrl);
        using var browser = host.NewClient();
        using (var form = await browser.GetAsync(new Uri(formUrl).PathAndQuery))
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);

        // Disabled through the API: the key's calls and its form are refused until it is enabled again; another account's id is not found.
        Assert.Equal("0", Text(await WireAssert.OkAsync(await anna.PostAsync($"/listbuilding/{id}/disable", null)), "enabled"));
        await WireAssert.RefusedAsync(await browser.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "ada@example.com" }), 100);
        using (var form = await browser.GetAsync(new Uri(formUrl).PathAndQuery))
            Assert.Equal(HttpStatusCode.NotFound, form.StatusCode);
        using (var foreignEnable = await otto.PostAsync($"/listbuilding/{id}/enable", null))
            Assert.Equal(HttpStatusCode.NotFound, foreignEnable.StatusCode);
        Assert.Equal("1", Text(await WireAssert.OkAsync(await anna.PostAsync($"/listbuilding/{id}/enable", null)), "enabled"));
        await WireAssert.OkAsync(await browser.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "ada@example.com" }));

        using var foreign = await otto.DeleteAsync($"/listbuilding/{id}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        await AssertTrueAsync(await anna.DeleteAsync($"/listbuilding/{id}"));
        await WireAssert.RefusedAsync(await browser.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "bert@example.com" }), 100);
        await AssertTrueAsync(await anna.DeleteAsync($"/list/{list}")); // no key uses it any more
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SignInTagsTheContactAndAnswersThePendingThenTheThankYouPage(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var anna = await host.NewAccountClientAsync("anna");
        var list = await ProcessManagementTests.CreateAsync(anna, new
        {
            name = "Webinar", pendingurl = "https://example.com/check-your-inbox", thankyouurl = "https://example.com/welcome",
        });
        var tag = await CreateTagAsync(anna, "Webinar-Teilnehmer");
        var apiKey = await CreateKeyAsync(anna, "Blog form", list, tag);
        using var form = host.NewClient(); // no credentials

        var next = await WireAssert.OkAsync(await form.PostAsJsonAsync("/subscriber/signin",
            new { apikey = apiKey, email = "bert@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert" } }));
        Assert.Equal("https://example.com/check-your-inbox", Assert.Single(next.EnumerateArray()).GetString());
        var link = Link(await smtp.ReceiveAsync());

        var id = await SearchAsync(anna, "bert@example.com");
        var contact = await GetAsync(anna, id);
        Assert.Equal("Opt-In Pending", Text(contact, "status"));
        Assert.Equal("Bert", Text(contact, "fieldFirstName"));
        Assert.Equal([Id(tag)], Map(contact, "manual_tags").Keys);
        var listbuildingTag = Assert.Single(Map(contact, "smart_tags")).Key;
        Assert.Equal("Listbuilding: Blog form", await TagNameAsync(anna, listbuildingTag));
        var manualTags = await anna.GetFromJsonAsync<Dictionary<string, string>>("/tag");
        Assert.DoesNotContain(listbuildingTag, manualTags!.Keys); // GET /tag lists manual tags only
        Assert.Contains(await TaggedAsync(anna, new { tagid = listbuildingTag, status = AllStatuses }), t => t.Id == id); // but tagged knows SmartTags
        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber/tag", new { email = "bert@example.com", tagids = new[] { long.Parse(listbuildingTag) } }), 31);
        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber/untag", new { email = "bert@example.com", tagid = long.Parse(listbuildingTag) }), 31);

        using (var opened = await form.GetAsync(link)) Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        contact = await GetAsync(anna, id);
        Assert.Equal("Subscribed", Text(contact, "status"));
        Assert.Equal(["Listbuilding: Blog form", "Opt-in confirmed: Webinar"],
            (await Task.WhenAll(Map(contact, "smart_tags").Keys.Select(t => TagNameAsync(anna, t)))).Order(StringComparer.Ordinal));

        next = await WireAssert.OkAsync(await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "bert@example.com" }));
        Assert.Equal("https://example.com/welcome", Assert.Single(next.EnumerateArray()).GetString());

        await AssertTrueAsync(await form.PostAsJsonAsync("/subscriber/signout", new { apikey = apiKey, email = "bert@example.com" }));
        contact = await GetAsync(anna, id);
        Assert.Empty(Map(contact, "manual_tags"));
        Assert.Equal(2, Map(contact, "smart_tags").Count); // SmartTags stay: they record what happened
        Assert.Equal("Subscribed", Text(contact, "status"));

        await AssertTrueAsync(await form.PostAsJsonAsync("/subscriber/signoff", new { apikey = apiKey, email = "bert@example.com" }));
        Assert.Equal("Unsubscribed", Text(await GetAsync(anna, id), "status"));
        await WireAssert.RefusedAsync(await form.PostAsJsonAsync("/subscriber/signoff", new { apikey = apiKey, email = "nobody@example.com" }), 7);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AWrongKeyIsError100WhetherOrNotTheAddressExistsAndChangesNothing(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        await AddAsync(anna, new { email = "bert@example.com" });
        var before = await AccountState.ReadAsync(anna);
        using var form = host.NewClient();

        foreach (var call in new[] { "signin", "signout", "signoff" })
        foreach (var email in new[] { "bert@example.com", "nobody@example.com" })
        foreach (var apikey in new[] { "0123456789abcdef0123456789abcdef", "" })
        {
            var refused = await WireAssert.RefusedAsync(await form.PostAsJsonAsync($"/subscriber/{call}", new { apikey, email }), 100);
            Assert.Equal("""{"error":100}""", refused.GetRawText());
        }
        await before.AssertUnchangedAsync(anna);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnsubscribedAddressComesBackOnlyByItsOwnClickOnASignInsConfirmation(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var anna = await host.NewAccountClientAsync("anna");
        var list = await ProcessManagementTests.CreateAsync(anna, new { name = "Newsletter" });
        var apiKey = await CreateKeyAsync(anna, "Footer form", list, null);
        using var form = host.NewClient();
        var id = Text(await AddAsync(anna, new { email = "bert@example.com" }), "id");
        await smtp.ReceiveAsync();
        await UnsubscribeAsync(anna, "bert@example.com");
        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber", new { email = "bert@example.com" }), 4); // the API may not

        host.Clock.Advance(TimeSpan.FromHours(1));
        await WireAssert.OkAsync(await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "bert@example.com" }));
        var message = await smtp.ReceiveAsync();
        Assert.Equal("Unsubscribed", Text(await GetAsync(anna, id), "status")); // until the click

        host.Clock.Advance(TimeSpan.FromMinutes(5));
        using (var opened = await form.GetAsync(Link(message))) Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        var contact = await GetAsync(anna, id);
        Assert.Equal("Subscribed", Text(contact, "status"));
        Assert.Equal(Id(list), Text(contact, "listid"));
        Assert.Equal("", Text(contact, "unsubscription"));
        Assert.NotEqual("", Text(contact, "optin"));
        Assert.NotEqual(Text(contact, "date"), Text(contact, "optin")); // fresh proof: sign-up, then the click
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheCallsAreLimitedPerKeyAndPerAddress(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, s => s with { SignInsPerMinute = 3 });
        using var anna = await host.NewAccountClientAsync("anna");
        var single = await ProcessManagementTests.CreateAsync(anna, new { name = "Shop", usesingleoptin = true, text = "Danke!" });
        var apiKey = await CreateKeyAsync(anna, "Checkout", single, null);
        using var form = host.NewClient();

        for (var i = 0; i < 3; i++)
            await WireAssert.OkAsync(await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = $"buyer{i}@example.com" }));
        using var limited = await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "buyer3@example.com" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        using var guess = await form.PostAsJsonAsync("/subscriber/signin", new { apikey = "0123456789abcdef0123456789abcdef", email = "x@example.com" });
        Assert.Equal(HttpStatusCode.TooManyRequests, guess.StatusCode); // guessing from the same address is limited too
        using var search = await anna.PostAsJsonAsync("/subscriber/search", new { email = "buyer3@example.com" });
        Assert.Equal(HttpStatusCode.NotFound, search.StatusCode); // the limited call stored nothing
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AKeyReachesOnlyItsOwnAccountsContacts(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var otto = await host.NewAccountClientAsync("otto");
        var single = await ProcessManagementTests.CreateAsync(anna, new { name = "Shop", usesingleoptin = true, text = "Danke!" });
        var apiKey = await CreateKeyAsync(anna, "Checkout", single, null);
        var ottos = Text(await AddAsync(otto, new { email = "carl@example.com" }), "id");
        using var form = host.NewClient();

        await WireAssert.RefusedAsync(await form.PostAsJsonAsync("/subscriber/signoff", new { apikey = apiKey, email = "carl@example.com" }), 7);
        await WireAssert.OkAsync(await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "carl@example.com" }));

        Assert.Equal("Opt-In Pending", Text(await GetAsync(otto, ottos), "status"));
        Assert.Equal("Subscribed", Text(await GetAsync(anna, await SearchAsync(anna, "carl@example.com")), "status"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ASignInGivesAContactFoundByItsNumberAnAddressOnlyOnceConfirmed(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var anna = await host.NewAccountClientAsync("anna");
        var list = await ProcessManagementTests.CreateAsync(anna, new { name = "Newsletter" });
        var apiKey = await CreateKeyAsync(anna, "SMS form", list, null);
        var id = Text(await AddAsync(anna, new { smsnumber = "+491701234567" }), "id");
        using var form = host.NewClient();

        await WireAssert.OkAsync(await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "eve@example.com", smsnumber = "+491701234567" }));

        var message = await smtp.ReceiveAsync();
        Assert.Equal("eve@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal("", Text(await GetAsync(anna, id), "email")); // not before the click
        using (var opened = await form.GetAsync(Link(message))) Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal("eve@example.com", Text(await GetAsync(anna, id), "email"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task LongNamesFitTheSignUpSourceAndTheSmartTags(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        var single = await ProcessManagementTests.CreateAsync(anna, new { name = new string('P', 250), usesingleoptin = true, text = "Danke!" });
        var apiKey = await CreateKeyAsync(anna, new string('K', 250), single, null);
        using var form = host.NewClient();

        await WireAssert.OkAsync(await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "ann@example.com" }));

        var contact = await GetAsync(anna, await SearchAsync(anna, "ann@example.com"));
        var names = await Task.WhenAll(Map(contact, "smart_tags").Keys.Select(t => TagNameAsync(anna, t)));
        Assert.Equal(2, names.Length);
        Assert.All(names, n => Assert.Equal(250, n.Length));
        Assert.All(names, n => Assert.EndsWith("…", n, StringComparison.Ordinal));
    }

    internal static async Task<string> CreateKeyAsync(HttpClient client, string name, long listId, long? tagId) =>
        Text(await WireAssert.OkAsync(await client.PostAsJsonAsync("/listbuilding", new { name, listid = listId, tagid = tagId })), "apikey");

    private static async Task<string> TagNameAsync(HttpClient client, string tagId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/tag/{tagId}")).GetProperty("name").GetString()!;
}
