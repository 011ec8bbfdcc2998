using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tagflow.Accounts;
using Tagflow.App;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.OptIns;
using Tagflow.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tagflow.Tests.App;

/// <summary>The opt-in process pages, in a real browser, sending through a real SMTP server in the test.</summary>
[Collection(AppCollection.Name)]
public sealed partial class OptInPagesTests(AppBrowser browser)
{
    [Fact]
    public async Task ADoubleOptInMadeInTheAppPreviewsItsEmailForTheNewestContactAsTypedAndSendsATestToTheOwner()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var app = await AppSession.StartAsync(browser, adjust: s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        await app.AddContactDirectAsync("ada@example.com", new() { ["fieldFirstName"] = "Ada" });
        await app.SignInAsync();

        var id = await CreateAsync(app, "Newsletter", single: false);
        await Expect(app.Page.Locator("#created")).ToContainTextAsync("The opt-in process was created.");
        await Expect(app.Page.Locator("#preview-sample")).ToContainTextAsync("ada@example.com");

        // The preview follows the typing, rendered by the confirmation email's own code for the newest contact.
        await app.Page.GetByLabel("Subject").FillAsync("Welcome, {{fieldFirstName}}");
        await app.Page.Locator("textarea[name=Text]").FillAsync("Hi {{fieldFirstName}} ({{email}}), please confirm: {{confirm_url}}");
        await app.Page.Locator("textarea[name=Html]")
            .FillAsync("<p id=\"hello\">Hallo {{fieldFirstName}}</p><script>document.body.dataset.ran = 'yes';</script>");
        await Expect(app.Page.Locator("#preview-subject")).ToHaveTextAsync("Welcome, Ada");
        await Expect(app.Page.Locator("#preview-text")).ToContainTextAsync("Hi Ada (ada@example.com), please confirm: http://");
        await Expect(app.Page.Locator("#preview-text")).ToContainTextAsync("/optin/sample");
        var html = app.Page.FrameLocator("#preview-html");
        await Expect(html.Locator("#hello")).ToHaveTextAsync("Hallo Ada");
        await Expect(html.Locator("body")).Not.ToHaveAttributeAsync("data-ran", "yes"); // the frame runs no script
        // What the rules would refuse shows as it is typed: a double opt-in's HTML needs the link too.
        await Expect(app.Page.Locator("#preview-problem")).ToContainTextAsync("The key \"html\" must contain {{confirm_url}}");
        await app.Page.Locator("textarea[name=Html]")
            .FillAsync("<p id=\"hello\">Hallo {{fieldFirstName}}</p><p><a href=\"{{confirm_url}}\">Ja</a></p><script>document.body.dataset.ran = 'yes';</script>");
        await Expect(app.Page.Locator("#preview-problem")).ToBeHiddenAsync();
        await Expect(html.Locator("a")).ToHaveAttributeAsync("href", new Regex("/optin/sample$"));

        // Typing does not save.
        Assert.Equal(ConfirmationTemplate.DefaultSubject, (await StoredAsync(app, id)).Subject);
        await app.Page.GetByLabel("Sender name").FillAsync("Anna's shop");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("Saved.");
        var stored = await StoredAsync(app, id);
        Assert.Equal("Welcome, {{fieldFirstName}}", stored.Subject);
        Assert.Equal("Hi {{fieldFirstName}} ({{email}}), please confirm: {{confirm_url}}", stored.TextTemplate);
        Assert.Equal("Anna's shop", stored.SenderName);
        Assert.False(stored.UseSingleOptIn);

        // The test goes to the owner, as shown, through the account's relay.
        Assert.True(smtp.NothingReceived);
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Send a test email" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToContainTextAsync("A test email went to anna@example.com");
        var mail = await smtp.ReceiveAsync();
        Assert.Equal("anna@example.com", Assert.Single(mail.To.Mailboxes).Address);
        Assert.Equal("Anna's shop", Assert.Single(mail.From.Mailboxes).Name);
        Assert.Equal("[Test] Welcome, Ada", mail.Subject);
        Assert.Contains("Hi Ada (ada@example.com), please confirm: http://", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Hallo Ada", mail.HtmlBody, StringComparison.Ordinal);
        await app.Page.EvaluateAsync("window.scrollTo(0, 0)"); // the preview stays in view while scrolling: shown from the top
        await app.ScreenshotAsync("optin");

        await app.Page.GotoAsync("/app/optins");
        var row = app.Page.Locator("#optins tr", new() { HasText = "Newsletter" });
        await Expect(row).ToContainTextAsync("Double");
        await Expect(row).ToContainTextAsync("Welcome, {{fieldFirstName}}");
        await Expect(app.Page.Locator("#optins tr", new() { HasText = "Checkout" })).ToContainTextAsync("Single");
        await Expect(app.Page.Locator("#optins tbody tr").First).ToContainTextAsync("Predefined double opt-in");
        await Expect(app.Page.Locator("#optins tbody tr").First.Locator(".badge")).ToHaveTextAsync("predefined");
        await app.ScreenshotAsync("optins");
    }

    [Fact]
    public async Task WithoutJavaScriptPreviewShowsTheBuiltInSampleAndARefusedSaveShowsItsErrorBesideTheFieldAndSavesNothing()
    {
        await using var app = await AppSession.StartAsync(browser, javaScript: false);
        await app.SignInAsync();
        var id = await CreateAsync(app, "Webinar", single: false);
        await Expect(app.Page.Locator("#preview-sample")).ToContainTextAsync(ConfirmationPreview.BuiltIn.Email);

        await app.Page.GetByLabel("Subject").FillAsync("Your seat, {{fieldFirstName}} {{fieldLastName}}");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(app.Page.Locator("#preview-subject")).ToHaveTextAsync("Your seat, Anna Sample");
        Assert.Equal(ConfirmationTemplate.DefaultSubject, (await StoredAsync(app, id)).Subject);

        // The API's rules: not an http(s) address, and a double opt-in's text without its link.
        await app.Page.GetByLabel("Thank-you page").FillAsync("ftp://example.com/thanks");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(app.Page.Locator("#error-ThankYouUrl")).ToContainTextAsync("\"thankyouurl\" must be an absolute http:// or https:// URL");
        await Expect(app.Page.GetByLabel("Thank-you page")).ToHaveValueAsync("ftp://example.com/thanks");
        await Expect(app.Page.GetByLabel("Subject")).ToHaveValueAsync("Your seat, {{fieldFirstName}} {{fieldLastName}}");
        var stored = await StoredAsync(app, id);
        Assert.Equal("", stored.ThankYouUrl);
        Assert.Equal(ConfirmationTemplate.DefaultSubject, stored.Subject);

        await app.Page.GetByLabel("Thank-you page").FillAsync("");
        await app.Page.Locator("textarea[name=Text]").FillAsync("Please confirm.");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Send a test email" }).ClickAsync();
        await Expect(app.Page.Locator("#error-Text")).ToContainTextAsync("must contain {{confirm_url}}");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(app.Page.Locator("#error-Text")).ToContainTextAsync("must contain {{confirm_url}}");
        Assert.Equal(ConfirmationTemplate.DefaultText, (await StoredAsync(app, id)).TextTemplate);
        var outbox = Path.Combine(app.Host.Database.Directory, "outbox");
        Assert.Empty(Directory.Exists(outbox) ? Directory.GetFiles(outbox, "*.eml") : []); // no test email went

        // A name the account has is refused on the list page, and nothing is made.
        await app.Page.GotoAsync("/app/optins");
        await app.Page.GetByLabel("Name").FillAsync("webinar");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Create opt-in process" }).ClickAsync();
        await Expect(app.Page.Locator("#name-error")).ToContainTextAsync("An opt-in process named \"webinar\" already exists.");
        Assert.Equal(2, await WithDbAsync(app, (db, accountId) => db.OptInProcesses.CountAsync(p => p.AccountId == accountId)));
    }

    [Fact]
    public async Task AProcessIsDeletedUnlessAListbuildingKeyUsesItAndThePredefinedOneHasNoNameNorDelete()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.SignInAsync();
        var id = await CreateAsync(app, "Fair", single: true);
        var accountId = await app.AccountIdAsync();
        var keyId = await app.WithServicesAsync(async sp =>
            (await sp.GetRequiredService<ListbuildingAdmin>().AddAsync(accountId, "Fair form", id, null, CancellationToken.None)).Key!.Id);

        await app.Page.GetByLabel("Delete the opt-in process").CheckAsync();
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Delete opt-in process" }).ClickAsync();
        await Expect(app.Page.Locator("#delete-error")).ToContainTextAsync("A listbuilding key signs contacts in through it");
        Assert.NotNull(await WithDbAsync(app, (db, _) => db.OptInProcesses.FindAsync(id).AsTask()));

        await app.WithServicesAsync(sp => sp.GetRequiredService<ListbuildingAdmin>().RemoveAsync(accountId, keyId, CancellationToken.None));
        await app.Page.GetByLabel("Delete the opt-in process").CheckAsync();
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Delete opt-in process" }).ClickAsync();
        await Expect(app.Page).ToHaveURLAsync(new Regex("/app/optins\\?done=deleted$"));
        await Expect(app.Page.Locator("#optins")).Not.ToContainTextAsync("Fair");
        Assert.Null(await WithDbAsync(app, (db, _) => db.OptInProcesses.FindAsync(id).AsTask()));

        await app.Page.Locator("#optins a", new() { HasText = "Predefined double opt-in" }).ClickAsync();
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "Predefined double opt-in" })).ToBeVisibleAsync();
        await Expect(app.Page.Locator("#edit-optin input[name=Name]")).ToHaveCountAsync(0);
        await Expect(app.Page.Locator("#delete-optin")).ToHaveCountAsync(0);
        await app.Page.GetByLabel("Sender name").FillAsync("The shop");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("Saved.");
        Assert.Equal("The shop", await WithDbAsync(app, (db, accountId) =>
            db.OptInProcesses.Where(p => p.AccountId == accountId && p.IsPredefined).Select(p => p.SenderName).SingleAsync()));
    }

    [Fact]
    public async Task AnotherAccountsProcessAnswersNotFoundOnItsPageAndItsPreviewAndThePreviewNeedsTheFormsToken()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.Host.AddAccountAsync("bob", Plan.Standard);
        var bob = await app.AccountIdAsync("bob");
        var bobs = await app.WithServicesAsync(async sp => (await sp.GetRequiredService<OptInProcessAdmin>()
            .AddAsync(bob, new ProcessSettings(Name: "Bob's list"), CancellationToken.None)).Process!.Id);
        await app.SignInAsync();

        var response = await app.Page.GotoAsync($"/app/optins/{bobs}");
        Assert.Equal(404, response!.Status);
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await app.Page.GotoAsync("/app/optins");
        await Expect(app.Page.Locator("#optins")).Not.ToContainTextAsync("Bob's list");

        var own = await CreateAsync(app, "Mine", single: false);
        var token = await app.Page.Locator("#edit-optin input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var form = new Dictionary<string, string> { ["__RequestVerificationToken"] = token!, ["Subject"] = "Hi {{email}}", ["Text"] = "{{confirm_url}}" };
        var preview = await PreviewAsync(app, own, form);
        Assert.Equal(200, preview.Status);
        using (var body = JsonDocument.Parse(await preview.TextAsync()))
            Assert.Equal("Hi " + ConfirmationPreview.BuiltIn.Email, body.RootElement.GetProperty("subject").GetString());
        Assert.Equal(404, (await PreviewAsync(app, bobs, form)).Status);
        form.Remove("__RequestVerificationToken");
        Assert.Equal(400, (await PreviewAsync(app, own, form)).Status);
    }

    /// <summary>Creates a process on the list page and answers its id, read from the page it leads to.</summary>
    private static async Task<long> CreateAsync(AppSession app, string name, bool single)
    {
        await app.Page.GotoAsync("/app/optins");
        await app.Page.GetByLabel("Name").FillAsync(name);
        await app.Page.GetByLabel("Opt-in").SelectOptionAsync(single ? "single" : "double");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Create opt-in process" }).ClickAsync();
        await Expect(app.Page).ToHaveURLAsync(ProcessUrl());
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
        return long.Parse(ProcessUrl().Match(app.Page.Url).Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<IAPIResponse> PreviewAsync(AppSession app, long id, Dictionary<string, string> fields)
    {
        var form = app.Page.APIRequest.CreateFormData();
        foreach (var (key, value) in fields) form.Set(key, value);
        return app.Page.APIRequest.PostAsync($"/app/optins/{id}/preview", new() { Form = form });
    }

    private static Task<OptInProcess> StoredAsync(AppSession app, long id) =>
        WithDbAsync(app, (db, _) => db.OptInProcesses.AsNoTracking().SingleAsync(p => p.Id == id));

    private static async Task<T> WithDbAsync<T>(AppSession app, Func<TagflowDb, long, Task<T>> query)
    {
        var accountId = await app.AccountIdAsync();
        return await app.WithServicesAsync(sp => query(sp.GetRequiredService<TagflowDb>(), accountId));
    }

    [GeneratedRegex(@"/app/optins/(?<id>[0-9]+)\?done=created$")]
    private static partial Regex ProcessUrl();
}
