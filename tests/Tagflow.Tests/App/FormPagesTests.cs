using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tagflow.Delivery;
using Tagflow.OptIns;
using Tagflow.Tests.Infrastructure;
using Tagflow.Tests.OptIns;
using static Microsoft.Playwright.Assertions;

namespace Tagflow.Tests.App;

/// <summary>Sign-up forms: made in the app, filled in by a visitor on the hosted page, confirmed by email; bots, disabled keys and other accounts.</summary>
[Collection(AppCollection.Name)]
public sealed partial class FormPagesTests(AppBrowser browser)
{
    private const string DoubleOptIn = "Predefined double opt-in (double opt-in)";

    [Fact]
    public async Task AVisitorSignsUpOnTheHostedFormConfirmsByEmailAndIsSubscribedWithItsSmartTags()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var app = await AppSession.StartAsync(browser, adjust: s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        await app.AddTagAsync("Newsletter");
        await app.SignInAsync();

        var key = await CreateAsync(app, "Blog form", DoubleOptIn, "Newsletter");
        Assert.Matches("^[0-9a-f]{32}$", key);
        await Expect(app.Page.Locator("#forms tr", new() { HasText = "Blog form" })).ToContainTextAsync(key[..6]);
        await Expect(app.Page.Locator("#forms tr", new() { HasText = "Blog form" })).ToContainTextAsync("Newsletter");
        await app.ScreenshotAsync("forms");
        await app.Page.Locator("#open-form").ClickAsync();
        await app.Page.GetByLabel("First name").CheckAsync();
        await app.Page.GetByLabel("Birthday").CheckAsync();
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save fields" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToContainTextAsync("Saved");
        var formUrl = await app.Page.Locator("#form-link").GetAttributeAsync("href");
        Assert.Matches($"^{Regex.Escape(app.Url("/f/"))}[0-9a-f]{{32}}$", formUrl);
        var snippet = await app.Page.Locator("#snippet").InputValueAsync();
        Assert.Contains($"<form method=\"post\" action=\"{formUrl}\"", snippet, StringComparison.Ordinal);
        Assert.Contains("name=\"fieldFirstName\"", snippet, StringComparison.Ordinal);
        Assert.Contains("<input type=\"date\" name=\"fieldBirthday\"", snippet, StringComparison.Ordinal);
        Assert.Contains("name=\"homepage\" value=\"\" tabindex=\"-1\" autocomplete=\"off\"", snippet, StringComparison.Ordinal);
        Assert.DoesNotContain(key, snippet, StringComparison.Ordinal);
        await app.ScreenshotAsync("form");

        await app.Page.GotoAsync(formUrl!);
        await app.ScreenshotAsync("signup-form");

        // The visitor, signed in nowhere, in a browser of their own.
        await using var visitor = await browser.Browser.NewContextAsync();
        var page = await visitor.NewPageAsync();
        await page.GotoAsync(formUrl!);
        await page.GetByLabel("Email address").FillAsync("nina@example.com");
        await page.GetByLabel("First name").FillAsync("Nina");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        await page.WaitForURLAsync("**/optin/pending");
        await Expect(page.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Please confirm your subscription");

        var confirmation = await smtp.ReceiveAsync();
        Assert.Equal("nina@example.com", confirmation.To.Mailboxes.Single().Address);
        await page.GotoAsync(DoubleOptInTests.Link(confirmation));
        await page.WaitForURLAsync("**/optin/thanks");

        var id = await ContactIdAsync(app, "nina@example.com");
        await app.Page.GotoAsync($"/app/contacts/{id}");
        await Expect(app.Page.Locator("#status")).ToHaveTextAsync("Subscribed");
        await Expect(app.Page.GetByLabel("First name")).ToHaveValueAsync("Nina");
        await Expect(app.Page.Locator("#signup-source")).ToHaveTextAsync(new Regex("^Form #[0-9]+$"));
        await Expect(app.Page.Locator("#signup-ip")).ToHaveTextAsync("127.0.0.1");
        var tags = app.Page.Locator("#tags");
        await Expect(tags).ToContainTextAsync("Newsletter");
        await Expect(tags).ToContainTextAsync("Listbuilding: Blog form");
        await Expect(tags).ToContainTextAsync("Opt-in confirmed: Predefined double opt-in");
    }

    [Fact]
    public async Task AFormRefusesABadValueWithItsReasonAndTooManySignUpsAnswer429()
    {
        await using var app = await AppSession.StartAsync(browser, adjust: s => s with { SignInsPerMinute = 3 });
        var (formUrl, _) = await CreateDirectAsync(app, "Webinar", ["fieldBirthday"]);
        await using var visitor = await browser.Browser.NewContextAsync();
        var page = await visitor.NewPageAsync();

        await page.GotoAsync(formUrl);
        await page.GetByLabel("Email address").FillAsync("not-an-address@");
        await page.Locator("#signup").EvaluateAsync("form => form.noValidate = true"); // as a browser that does not check it first
        var refused = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync(),
            r => r.Url == formUrl && r.Request.Method == "POST");
        Assert.Equal(400, refused.Status);
        await Expect(page.Locator("#error")).ToHaveTextAsync("This is not a valid email address. Please check it.");
        await Expect(page.GetByLabel("Email address")).ToHaveValueAsync("not-an-address@");

        // A date the browser's picker would not send, posted by hand: the field's own rule, said with its label.
        using var client = app.Host.NewClient();
        using var badDate = await client.PostAsync(formUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = "olga@example.com", ["fieldBirthday"] = "8 May", ["homepage"] = "",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.Contains("Birthday: Expected a date such as 2024-05-08.", await badDate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await ContactIdOrNullAsync(app, "olga@example.com"));
        Assert.Null(await ContactIdOrNullAsync(app, "not-an-address@"));

        // Two sign-ups so far from this address; the third is taken, the fourth is over the limit, with nothing stored.
        using var third = await client.PostAsync(formUrl, Form("paul@example.com"));
        Assert.Equal(HttpStatusCode.SeeOther, third.StatusCode);
        using var fourth = await client.PostAsync(formUrl, Form("rita@example.com"));
        Assert.Equal((HttpStatusCode)429, fourth.StatusCode);
        Assert.NotNull(fourth.Headers.RetryAfter);
        Assert.Contains("Too many sign-ups", await fourth.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(await ContactIdOrNullAsync(app, "paul@example.com"));
        Assert.Null(await ContactIdOrNullAsync(app, "rita@example.com"));
    }

    [Fact]
    public async Task ABotThatFillsTheHoneypotIsSentOnAsAPersonIsAndNothingIsStored()
    {
        await using var app = await AppSession.StartAsync(browser);
        var (formUrl, _) = await CreateDirectAsync(app, "Shop footer", []);
        await using var visitor = await browser.Browser.NewContextAsync();
        var page = await visitor.NewPageAsync();
        await page.GotoAsync(formUrl);
        await Expect(page.GetByLabel("Leave this field empty")).Not.ToBeInViewportAsync();
        await page.GetByLabel("Email address").FillAsync("bot@example.com");
        await page.GetByLabel("Leave this field empty").FillAsync("https://spam.example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        await page.WaitForURLAsync("**/optin/pending");

        Assert.Null(await ContactIdOrNullAsync(app, "bot@example.com"));
        Assert.Contains(app.Host.Logs.Lines, l => l.Contains("filled the hidden field", StringComparison.Ordinal));
        Assert.Empty(Directory.Exists(Outbox(app)) ? Directory.GetFiles(Outbox(app), "*.eml") : []);

        // A person, the same way: stored, and sent on to the same page.
        await page.GotoAsync(formUrl);
        await page.GetByLabel("Email address").FillAsync("human@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        await page.WaitForURLAsync("**/optin/pending");
        Assert.NotNull(await ContactIdOrNullAsync(app, "human@example.com"));
    }

    [Fact]
    public async Task ADisabledFormAnswersNotFoundAndItsKeyIsRefusedUntilItIsEnabledAgain()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.SignInAsync();
        var key = await CreateAsync(app, "Landing page", DoubleOptIn, null);
        await app.Page.Locator("#open-form").ClickAsync();
        var formUrl = (await app.Page.Locator("#form-link").GetAttributeAsync("href"))!;
        var formPage = app.Page.Url;

        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(app.Page.Locator("#form-state")).ToContainTextAsync("Disabled since");
        using var client = app.Host.NewClient();
        using (var shown = await client.GetAsync(formUrl))
        {
            Assert.Equal(HttpStatusCode.NotFound, shown.StatusCode);
            Assert.Contains("Form not found", await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var posted = await client.PostAsync(formUrl, Form("quinn@example.com")))
            Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/signin", new { apikey = key, email = "quinn@example.com" }), 100);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/signoff", new { apikey = key, email = "quinn@example.com" }), 100);
        Assert.Null(await ContactIdOrNullAsync(app, "quinn@example.com"));
        await app.Page.GotoAsync("/app/forms");
        await Expect(app.Page.Locator("#forms tr", new() { HasText = "Landing page" })).ToContainTextAsync("Disabled");

        await app.Page.GotoAsync(formPage);
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Enable" }).ClickAsync();
        await Expect(app.Page.Locator("#form-state")).ToContainTextAsync("Enabled");
        using (var shown = await client.GetAsync(formUrl)) Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/signin", new { apikey = key, email = "quinn@example.com" }));
        Assert.NotNull(await ContactIdOrNullAsync(app, "quinn@example.com"));

        await app.Page.GetByLabel("Delete the sign-up form").CheckAsync();
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Delete sign-up form" }).ClickAsync();
        await Expect(app.Page).ToHaveURLAsync(new Regex("/app/forms\\?done=deleted$"));
        await Expect(app.Page.Locator("#forms")).Not.ToContainTextAsync("Landing page");
        using (var gone = await client.GetAsync(formUrl)) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task AnotherAccountsFormCannotBeSeenOrChanged()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.Host.AddAccountAsync("bob", Tagflow.Accounts.Plan.Standard);
        var (_, bobsKey) = await CreateDirectAsync(app, "Bob's form", [], "bob");
        await app.SignInAsync();
        var (_, annasKey) = await CreateDirectAsync(app, "Anna's form", []);

        var response = await app.Page.GotoAsync($"/app/forms/{bobsKey}");
        Assert.Equal(404, response!.Status);
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await app.Page.GotoAsync("/app/forms");
        await Expect(app.Page.Locator("#forms")).Not.ToContainTextAsync("Bob's form");

        // Anna's own page's "Disable" form, sent to Bob's form's address: refused as at an address with no form at all (the page renders
        // no form there to send), and Bob's key stays enabled.
        var toBob = await SendDisableToAsync(app, annasKey, bobsKey);
        var toNobody = await SendDisableToAsync(app, annasKey, bobsKey + 1000);
        Assert.Equal(toNobody, toBob);
        Assert.InRange(toBob, 400, 404);
        Assert.Null(await app.WithServicesAsync(async sp => (await sp.GetRequiredService<Tagflow.Data.TagflowDb>().ListbuildingKeys.SingleAsync(k => k.Id == bobsKey)).DisabledAt));
        await app.Page.GotoAsync($"/app/forms/{annasKey}");
        await Expect(app.Page.Locator("#form-state")).ToContainTextAsync("Enabled");
    }

    /// <summary>Sends the "Disable" form of the page of <paramref name="own"/> to the page of <paramref name="target"/>; answers the status.</summary>
    private static async Task<int> SendDisableToAsync(AppSession app, long own, long target)
    {
        await app.Page.GotoAsync($"/app/forms/{own}");
        await app.Page.Locator("#form-state form").EvaluateAsync("(form, action) => form.setAttribute('action', action)", $"/app/forms/{target}");
        var answer = await app.Page.RunAndWaitForResponseAsync(() => app.Page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync(),
            r => r.Url.EndsWith($"/app/forms/{target}", StringComparison.Ordinal) && r.Request.Method == "POST");
        return answer.Status;
    }

    /// <summary>Creates a sign-up form on the forms page; answers its listbuilding key, shown once.</summary>
    private static async Task<string> CreateAsync(AppSession app, string name, string process, string? tag)
    {
        await app.Page.GotoAsync("/app/forms");
        await app.Page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await app.Page.Locator("#create-form select[name=ListId]").SelectOptionAsync(new SelectOptionValue { Label = process });
        if (tag is not null) await app.Page.Locator("#create-form select[name=TagId]").SelectOptionAsync(new SelectOptionValue { Label = tag });
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Create sign-up form" }).ClickAsync();
        await Expect(app.Page.Locator("#new-key")).ToContainTextAsync($"The sign-up form “{name}” was created.");
        return (await app.Page.Locator("#listbuilding-key").InnerTextAsync()).Trim();
    }

    /// <summary>Creates a key of the predefined double opt-in with the form's fields, through the admin service; answers its form's address and its id.</summary>
    private static async Task<(string FormUrl, long Id)> CreateDirectAsync(AppSession app, string name, string[] fields, string username = "anna")
    {
        var accountId = await app.AccountIdAsync(username);
        var key = await app.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<Tagflow.Data.TagflowDb>();
            var process = await db.OptInProcesses.Where(p => p.AccountId == accountId && p.IsPredefined).Select(p => p.Id).SingleAsync();
            var admin = sp.GetRequiredService<ListbuildingAdmin>();
            var (created, _, refusal) = await admin.AddAsync(accountId, name, process, null, CancellationToken.None);
            Assert.Null(refusal);
            var (saved, fieldRefusal) = await admin.SetFormAsync(accountId, created!.Id, fields, false, CancellationToken.None);
            Assert.Null(fieldRefusal);
            return saved!;
        });
        return (app.Url("/f/" + key.FormToken), key.Id);
    }

    private static FormUrlEncodedContent Form(string email) => new(new Dictionary<string, string> { ["email"] = email, ["homepage"] = "" });

    private static string Outbox(AppSession app) => Path.Combine(app.Host.Database.Directory, "outbox");

    private static async Task<long> ContactIdAsync(AppSession app, string email) =>
        await ContactIdOrNullAsync(app, email) ?? throw new Xunit.Sdk.XunitException($"There is no contact {email}.");

    private static async Task<long?> ContactIdOrNullAsync(AppSession app, string email)
    {
        var accountId = await app.AccountIdAsync();
        return await app.WithServicesAsync(sp => sp.GetRequiredService<Tagflow.Data.TagflowDb>().Contacts
            .Where(c => c.AccountId == accountId && c.Email == email).Select(c => (long?)c.Id).SingleOrDefaultAsync());
    }
}
