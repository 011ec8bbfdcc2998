using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using MimeKit;
using Tagflow.Tests.Infrastructure;
using Tagflow.Tests.OptIns;
using static Microsoft.Playwright.Assertions;

namespace Tagflow.Tests.App;

/// <summary>The contacts page and the contact page, in a real browser.</summary>
[Collection(AppCollection.Name)]
public sealed class ContactPageTests(AppBrowser browser)
{
    [Fact]
    public async Task AContactAddedByHandIsFoundBySearchAndByTagFilter()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.AddTagAsync("Customer");
        await app.AddContactDirectAsync("other@example.com", new() { ["fieldFirstName"] = "Otto" });
        await app.SignInAsync();

        var id = await app.AddContactAsync("bert@example.com", "Bert", "Brecht", tag: "Customer");
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("The contact was added.");
        await Expect(app.Page.Locator("#signup-source")).ToHaveTextAsync("App");
        await Expect(app.Page.Locator("#signup-ip")).ToHaveTextAsync("127.0.0.1");
        await Expect(app.Page.Locator("#tags")).ToContainTextAsync("Customer");

        foreach (var search in new[] { "bert@example.com", "brecht", "Bert" })
        {
            await app.Page.GotoAsync("/app/contacts");
            await app.Page.GetByLabel("Search").FillAsync(search);
            await app.Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
            await Expect(app.Page.Locator("#contacts tbody tr")).ToHaveCountAsync(1);
            await Expect(app.Page.Locator("#contacts tbody")).ToContainTextAsync("bert@example.com");
        }

        await app.Page.GotoAsync("/app/contacts");
        await app.Page.Locator("#filters select[name=tag]").SelectOptionAsync(new SelectOptionValue { Label = "Customer" });
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(app.Page.Locator("#contacts tbody tr")).ToHaveCountAsync(1);
        await Expect(app.Page.GetByRole(AriaRole.Link, new() { Name = "bert@example.com" })).ToHaveAttributeAsync("href", $"/app/contacts/{id}");
        await app.Page.Locator("#filters select[name=has]").SelectOptionAsync("no");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(app.Page.Locator("#contacts tbody tr")).ToHaveCountAsync(1);
        await Expect(app.Page.Locator("#contacts tbody")).ToContainTextAsync("other@example.com");
    }

    [Fact]
    public async Task PagesFollowOneAnotherByKeysetWithNoContactTwiceAndNoneLeftOut()
    {
        await using var app = await AppSession.StartAsync(browser);
        for (var i = 0; i < 55; i++)
            await app.AddContactDirectAsync($"p{i:00}@example.com");
        await app.SignInAsync();

        foreach (var sort in new[] { "created", "changed" })
        {
            await app.Page.GotoAsync($"/app/contacts?sort={sort}");
            var first = await app.Page.Locator("#contacts tbody td:nth-child(2)").AllInnerTextsAsync();
            Assert.Equal(50, first.Count);
            await app.Page.Locator("#next-page").ClickAsync();
            await Expect(app.Page.Locator("#contacts tbody tr")).ToHaveCountAsync(5);
            var second = await app.Page.Locator("#contacts tbody td:nth-child(2)").AllInnerTextsAsync();
            Assert.Equal(55, first.Concat(second).Distinct().Count());
            Assert.Equal("p54@example.com", first[0]); // newest first
            await Expect(app.Page.Locator("#next-page")).ToHaveCountAsync(0);
            Assert.Contains("after=", app.Page.Url, StringComparison.Ordinal);

            // And back: the first page again, with no previous one before it.
            await app.Page.Locator("#previous-page").ClickAsync();
            await Expect(app.Page.Locator("#contacts tbody tr")).ToHaveCountAsync(50);
            Assert.Equal(first, await app.Page.Locator("#contacts tbody td:nth-child(2)").AllInnerTextsAsync());
            await Expect(app.Page.Locator("#previous-page")).ToHaveCountAsync(0);
            await Expect(app.Page.Locator("#next-page")).ToHaveCountAsync(1);
        }
    }

    [Fact]
    public async Task AWrongValueInATypedFieldShowsItsErrorBesideTheFieldAndSavesNothing()
    {
        await using var app = await AppSession.StartAsync(browser);
        var id = await app.AddContactDirectAsync("bert@example.com");
        await app.SignInAsync();
        await app.Page.GotoAsync($"/app/contacts/{id}");

        await app.Page.GetByLabel("First name").FillAsync("Bert");
        await app.Page.GetByLabel("Website").FillAsync("not a web address");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var error = app.Page.Locator("#error-fieldWebsite");
        await Expect(error).ToHaveTextAsync("Expected an absolute URL beginning with http:// or https://.");
        // Beside the field: inside the same label as its input.
        await Expect(app.Page.Locator("label", new() { Has = app.Page.Locator("input[name=fieldWebsite]") }).Locator(".field-error")).ToBeVisibleAsync();
        await Expect(app.Page.GetByLabel("Website")).ToHaveValueAsync("not a web address");
        await Expect(app.Page.Locator("#error")).ToContainTextAsync("Nothing was saved");

        await app.Page.GotoAsync($"/app/contacts/{id}");
        await Expect(app.Page.GetByLabel("First name")).ToHaveValueAsync("");

        await app.Page.GetByLabel("First name").FillAsync("Bert");
        await app.Page.GetByLabel("Website").FillAsync("https://bert.example.com");
        await app.Page.GetByLabel("Birthday").FillAsync("1990-05-08");
        await app.Page.GetByLabel("Lead value").FillAsync("20");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("Saved.");
        await Expect(app.Page.GetByLabel("Birthday")).ToHaveValueAsync("1990-05-08");
        await Expect(app.Page.GetByLabel("Lead value")).ToHaveValueAsync("20.00");
        await Expect(app.Page.Locator("#history")).ToContainTextAsync("Changed: First name, Website, Birthday, Lead value");
        // The single opt-in's SmartTag is shown, and cannot be removed by hand.
        await Expect(app.Page.Locator("#tags")).ToContainTextAsync("Opt-in confirmed: CheckoutSmartTag");
        await Expect(app.Page.Locator("#tags button")).ToHaveCountAsync(0);
        await app.ScreenshotAsync("contact");
    }

    [Fact]
    public async Task TheConsentRecordShowsTheConfirmationAfterADoubleOptIn()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.SignInAsync();
        var id = await app.AddContactAsync("dora@example.com", "Dora", process: "Predefined double opt-in (double opt-in: sends the confirmation email)");
        await Expect(app.Page.Locator("#status")).ToHaveTextAsync("Opt-in pending");
        await Expect(app.Page.Locator("#optin-at")).ToHaveTextAsync("—");

        var outbox = Path.Combine(app.Host.Database.Directory, "outbox");
        var message = await MimeMessage.LoadAsync(Assert.Single(await Outbox.FilesAsync(outbox, 1)));
        Assert.Equal("dora@example.com", message.To.Mailboxes.Single().Address);
        var link = DoubleOptInTests.Link(message);
        Assert.NotEmpty(link);

        // Sent again from the contact's page: not within 10 minutes of the last, then a second email with a new link.
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Send the confirmation email again" }).ClickAsync();
        await Expect(app.Page.Locator("#error")).ToContainTextAsync("10 minutes");
        app.Host.Clock.Advance(TimeSpan.FromMinutes(11));
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Send the confirmation email again" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("The confirmation email was sent again, with a new link.");
        var again = await MimeMessage.LoadAsync((await Outbox.FilesAsync(outbox, 2))[1]);
        Assert.NotEqual(link, DoubleOptInTests.Link(again));

        app.Host.Clock.Advance(TimeSpan.FromMinutes(5));
        await app.Page.GotoAsync(link); // the contact confirms, in a browser
        await app.Page.GotoAsync($"/app/contacts/{id}");
        await Expect(app.Page.Locator("#status")).ToHaveTextAsync("Subscribed");
        // The test clock stood at 2026-11-27 12:00 UTC, 13:00 in the account's Berlin; confirmed 16 minutes later.
        await Expect(app.Page.Locator("#signup-at")).ToHaveTextAsync("2026-11-27 13:00:00");
        await Expect(app.Page.Locator("#optin-at")).ToHaveTextAsync("2026-11-27 13:16:00");
        await Expect(app.Page.Locator("#optin-ip")).ToHaveTextAsync("127.0.0.1");
        await Expect(app.Page.Locator("#history")).ToContainTextAsync("Subscribed");
    }

    [Fact]
    public async Task TheExportHasEverythingAboutThePersonAndEraseRemovesIt()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.AddTagAsync("Customer");
        await app.SignInAsync();
        var id = await app.AddContactAsync("erik@example.com", "Erik", "Export", tag: "Customer");

        var download = await app.Page.RunAndWaitForDownloadAsync(() => app.Page.Locator("#export").ClickAsync());
        Assert.Equal($"contact-{id}.json", download.SuggestedFilename);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!));
        var root = json.RootElement;
        Assert.Equal("erik@example.com", root.GetProperty("email").GetString());
        Assert.Equal("Erik", root.GetProperty("fields").GetProperty("First name").GetString());
        Assert.Equal("App", root.GetProperty("consent").GetProperty("signup_source").GetString());
        Assert.Equal("127.0.0.1", root.GetProperty("consent").GetProperty("signup_ip").GetString());
        Assert.Equal("Customer", root.GetProperty("tags")[0].GetProperty("name").GetString());
        Assert.Contains(root.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "contact.created");

        await app.Page.GetByLabel("Erase this contact").CheckAsync();
        await app.Page.Locator("#erase").ClickAsync();
        await app.Page.WaitForURLAsync("**/app/contacts?done=erased");
        await Expect(app.Page.GetByText("The contact was erased.")).ToBeVisibleAsync();
        await Expect(app.Page.Locator("#contacts")).Not.ToContainTextAsync("erik@example.com");
        var gone = await app.Page.GotoAsync($"/app/contacts/{id}");
        Assert.Equal((int)HttpStatusCode.NotFound, gone!.Status);
        var export = await app.Page.APIRequest.GetAsync($"/app/contacts/{id}/export");
        Assert.Equal((int)HttpStatusCode.NotFound, export.Status);
    }

    [Fact]
    public async Task AScriptInAFieldValueIsShownAsText()
    {
        await using var app = await AppSession.StartAsync(browser);
        const string script = "<script>alert(1)</script>";
        var id = await app.AddContactDirectAsync("xss@example.com", new() { ["fieldFirstName"] = script, ["fieldCompanyName"] = "<b>bold</b>" });
        var dialogs = 0;
        app.Page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        await app.SignInAsync();

        await app.Page.GotoAsync("/app/contacts");
        await Expect(app.Page.Locator("#contacts tbody")).ToContainTextAsync(script);
        await app.Page.GotoAsync($"/app/contacts/{id}");
        await Expect(app.Page.GetByLabel("First name")).ToHaveValueAsync(script);
        Assert.Equal(0, await app.Page.Locator("b:text('bold')").CountAsync());
        var html = await app.Page.ContentAsync();
        Assert.DoesNotContain("<script>alert(1)</script>", html, StringComparison.Ordinal);
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task AnotherAccountsContactIdAnswersNotFound()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.Host.AddAccountAsync("carl", Tagflow.Accounts.Plan.Standard);
        var carls = await app.AddContactDirectAsync("carls-contact@example.com", username: "carl");
        await app.SignInAsync();

        var answer = await app.Page.GotoAsync($"/app/contacts/{carls}");
        Assert.Equal((int)HttpStatusCode.NotFound, answer!.Status);
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await Expect(app.Page.Locator("body")).Not.ToContainTextAsync("carls-contact");
        var export = await app.Page.APIRequest.GetAsync($"/app/contacts/{carls}/export");
        Assert.Equal((int)HttpStatusCode.NotFound, export.Status);
        Assert.DoesNotContain("carls-contact", await export.TextAsync(), StringComparison.Ordinal);
    }
}
