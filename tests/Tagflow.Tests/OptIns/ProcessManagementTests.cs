using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.OptIns;

/// <summary>
/// Tagflow's opt-in process management: POST, PUT and DELETE /list and GET /list/{id}/email, with the
/// confirmation email's sender and templates; every refusal changes nothing.
/// </summary>
public sealed class ProcessManagementTests
{
    private static readonly object Newsletter = new
    {
        name = "Newsletter",
        usesingleoptin = false,
        pendingurl = "https://example.com/check-your-inbox",
        thankyouurl = "https://example.com/welcome",
        resendconfirmationemail = true,
        usechangeemail = true,
        sendername = "Anna's Shop",
        senderaddress = "news@example.com",
        subject = "Bitte bestätigen, {{fieldFirstName}}",
        text = "Hallo {{fieldFirstName}},\nbitte bestätigen: {{confirm_url}}",
        html = "<p>Hallo {{fieldFirstName}}, <a href=\"{{confirm_url}}\">bestätigen</a> ({{email}})</p>",
    };

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ACreatedProcessAnswersEverySettingAndIsListed(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var id = await CreateAsync(client, Newsletter);

        var list = await WireAssert.OkAsync(await client.GetAsync($"/list/{id}"));
        Assert.Equal(Id(id), list.GetProperty("listid").GetString());
        Assert.Equal("Newsletter", list.GetProperty("name").GetString());
        Assert.Equal("https://example.com/check-your-inbox", list.GetProperty("pendingurl").GetString());
        Assert.Equal("https://example.com/welcome", list.GetProperty("thankyouurl").GetString());
        Assert.Equal(JsonValueKind.False, list.GetProperty("usesingleoptin").ValueKind);
        Assert.Equal(JsonValueKind.True, list.GetProperty("resendconfirmationemail").ValueKind);
        Assert.Equal(JsonValueKind.True, list.GetProperty("usechangeemail").ValueKind);
        var email = await WireAssert.OkAsync(await client.GetAsync($"/list/{id}/email"));
        Assert.Equal("Anna's Shop", email.GetProperty("sendername").GetString());
        Assert.Equal("news@example.com", email.GetProperty("senderaddress").GetString());
        Assert.Equal("Bitte bestätigen, {{fieldFirstName}}", email.GetProperty("subject").GetString());
        Assert.Equal("Hallo {{fieldFirstName}},\nbitte bestätigen: {{confirm_url}}", email.GetProperty("text").GetString());
        Assert.Contains("{{confirm_url}}", email.GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.Equal("Newsletter", (await WireAssert.OkAsync(await client.GetAsync("/list"))).GetProperty(Id(id)).GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANewProcessStartsWithAConfirmationEmailThatWorks(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var id = await CreateAsync(client, new { name = "Webinar" });

        var list = await WireAssert.OkAsync(await client.GetAsync($"/list/{id}"));
        Assert.Equal(JsonValueKind.False, list.GetProperty("usesingleoptin").ValueKind);
        Assert.Equal("", list.GetProperty("pendingurl").GetString());
        var email = await WireAssert.OkAsync(await client.GetAsync($"/list/{id}/email"));
        Assert.False(string.IsNullOrWhiteSpace(email.GetProperty("subject").GetString()));
        Assert.Contains("{{confirm_url}}", email.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("{{confirm_url}}", email.GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.Equal("", email.GetProperty("senderaddress").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ASingleOptInProcessIsUsableAtOnceAndSubscribesItsContacts(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddAsync(client, new { email = "first@example.com" }); // the instance now holds the account's processes

        var id = await CreateAsync(client, new { name = "Shop", usesingleoptin = "1", text = "Danke!" });

        var contact = await AddAsync(client, new { email = "anna@example.com", listid = id });
        Assert.Equal(Id(id), Text(contact, "listid"));
        Assert.Equal("Subscribed", Text(contact, "status"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task BadSettingsAreRefusedAndChangeNothing(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var existing = await CreateAsync(client, Newsletter);
        var before = await SnapshotAsync(client);

        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/list", new { usesingleoptin = true }), HttpStatusCode.BadRequest);
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/list", new { name = "   " }), HttpStatusCode.BadRequest);
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/list", new { name = new string('x', 251) }), HttpStatusCode.BadRequest);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/list", new { name = " NEWSLETTER " }), 605);
        foreach (var url in new[] { "example.com/welcome", "ftp://example.com/", "javascript:alert(1)", "/relative" })
        {
            await WireAssert.MessageAsync(await client.PostAsJsonAsync("/list", new { name = "Other", pendingurl = url }), HttpStatusCode.BadRequest);
            await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/list/{existing}", new { thankyouurl = url }), HttpStatusCode.BadRequest);
        }
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/list", new { name = "Other", senderaddress = "not an address" }), HttpStatusCode.BadRequest);
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/list", new { name = "Other", sendername = "Anna\r\nBcc: x@example.com" }), HttpStatusCode.BadRequest);
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/list", new { name = "Other", subject = "Hi\nBcc: x@example.com" }), HttpStatusCode.BadRequest);
        var broken = await WireAssert.MessageAsync(await client.PostAsJsonAsync("/list", new { name = "Other", html = "<p>{{confirm_url}}</p>\n{% if fieldFirstName %}\n<p>Hi</p>" }),
            HttpStatusCode.BadRequest);
        Assert.StartsWith("The key \"html\" is not a valid template: line 3 (the end of the template): ", broken, StringComparison.Ordinal);
        var brokenSubject = await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/list/{existing}", new { subject = "Hi {{ fieldFirstName | }}" }), HttpStatusCode.BadRequest);
        Assert.StartsWith("The key \"subject\" is not a valid template: line 1: ", brokenSubject, StringComparison.Ordinal);
        var brokenText = await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/list/{existing}", new { text = "{{confirm_url}}\n{% endif %}" }), HttpStatusCode.BadRequest);
        Assert.StartsWith("The key \"text\" is not a valid template: line 2: ", brokenText, StringComparison.Ordinal);
        var noLink = await WireAssert.MessageAsync(await client.PostAsJsonAsync("/list", new { name = "Other", text = "Hello" }), HttpStatusCode.BadRequest);
        Assert.Contains("{{confirm_url}}", noLink, StringComparison.Ordinal);
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/list", new { name = "Other", html = "<a>no link</a>" }), HttpStatusCode.BadRequest);
        Assert.Equal(before, await SnapshotAsync(client));

        // Switching a single opt-in process to double opt-in needs the link too.
        var single = await CreateAsync(client, new { name = "Single", usesingleoptin = true, text = "Danke!", html = "" });
        var withSingle = await SnapshotAsync(client);
        await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/list/{single}", new { usesingleoptin = false }), HttpStatusCode.BadRequest);

        Assert.Equal(withSingle, await SnapshotAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PutChangesTheGivenSettingsOnly(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await CreateAsync(client, Newsletter);

        await AssertTrueAsync(await client.PutAsJsonAsync($"/list/{id}", new { name = "Weekly", thankyouurl = "", subject = "Confirm, please" }));

        var list = await WireAssert.OkAsync(await client.GetAsync($"/list/{id}"));
        Assert.Equal("Weekly", list.GetProperty("name").GetString());
        Assert.Equal("", list.GetProperty("thankyouurl").GetString());
        Assert.Equal("https://example.com/check-your-inbox", list.GetProperty("pendingurl").GetString());
        var email = await WireAssert.OkAsync(await client.GetAsync($"/list/{id}/email"));
        Assert.Equal("Confirm, please", email.GetProperty("subject").GetString());
        Assert.Equal("news@example.com", email.GetProperty("senderaddress").GetString());
        // Its own name again, in another case, is no clash.
        await AssertTrueAsync(await client.PutAsJsonAsync($"/list/{id}", new { name = "WEEKLY" }));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ThePredefinedProcessKeepsItsNameAndDoubleOptInAndCannotBeDeleted(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var predefined = await PredefinedListIdAsync(client);

        await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/list/{predefined}", new { name = "Renamed" }), 606);
        await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/list/{predefined}", new { usesingleoptin = true }), 606);
        await WireAssert.RefusedAsync(await client.DeleteAsync($"/list/{predefined}"), 606);
        // Its pages and email may change.
        await AssertTrueAsync(await client.PutAsJsonAsync($"/list/{predefined}", new { thankyouurl = "https://example.com/thanks", sendername = "Anna" }));

        var list = await WireAssert.OkAsync(await client.GetAsync($"/list/{predefined}"));
        Assert.Equal("", list.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.False, list.GetProperty("usesingleoptin").ValueKind);
        Assert.Equal("https://example.com/thanks", list.GetProperty("thankyouurl").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ADeletedProcessIsGoneForNewContactsAndItsContactsKeepItAsTheirSignUpRecord(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await CreateAsync(client, new { name = "Shop", usesingleoptin = true, text = "Danke!" });
        var contactId = Text(await AddAsync(client, new { email = "anna@example.com", listid = id }), "id");

        await AssertTrueAsync(await client.DeleteAsync($"/list/{id}"));

        await WireAssert.MessageAsync(await client.GetAsync($"/list/{id}"), HttpStatusCode.NotFound);
        Assert.False((await WireAssert.OkAsync(await client.GetAsync("/list"))).TryGetProperty(Id(id), out _));
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", listid = id }), 402);
        var contact = await GetAsync(client, contactId);
        Assert.Equal(Id(id), Text(contact, "listid"));
        Assert.Equal("Subscribed", Text(contact, "status"));
        await WireAssert.MessageAsync(await client.DeleteAsync($"/list/{id}"), HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountsProcessAnswers404ToEveryChange(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var annas = await CreateAsync(anna, Newsletter);
        var before = await SnapshotAsync(anna);

        await WireAssert.MessageAsync(await bert.GetAsync($"/list/{annas}/email"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await bert.PutAsJsonAsync($"/list/{annas}", new { name = "Mine" }), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await bert.DeleteAsync($"/list/{annas}"), HttpStatusCode.NotFound);
        // Names are unique per account, not across accounts.
        await CreateAsync(bert, new { name = "Newsletter" });

        Assert.Equal(before, await SnapshotAsync(anna));
    }

    /// <summary>POST /list; asserts it answers the new process exactly as GET /list/{id} then shows it, and answers its id.</summary>
    internal static async Task<long> CreateAsync(HttpClient client, object body)
    {
        var answer = await WireAssert.OkAsync(await client.PostAsJsonAsync("/list", body));
        var id = long.Parse(answer.GetProperty("listid").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal((await WireAssert.OkAsync(await client.GetAsync($"/list/{id}"))).GetRawText(), answer.GetRawText());
        return id;
    }

    /// <summary>Every process of the account with all its settings, as the API shows them.</summary>
    private static async Task<List<string>> SnapshotAsync(HttpClient client)
    {
        var all = new List<string>();
        foreach (var list in (await WireAssert.OkAsync(await client.GetAsync("/list"))).EnumerateObject())
        {
            all.Add((await WireAssert.OkAsync(await client.GetAsync($"/list/{list.Name}"))).GetRawText());
            all.Add((await WireAssert.OkAsync(await client.GetAsync($"/list/{list.Name}/email"))).GetRawText());
        }
        return all;
    }
}
