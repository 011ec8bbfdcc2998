using System.Net;
using Microsoft.Playwright;
using Tagflow.App;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.App;

/// <summary>The campaigns pages, in a real browser, sending through a real SMTP server in the test.</summary>
[Collection(AppCollection.Name)]
public sealed class CampaignPagesTests(AppBrowser browser)
{
    [Fact]
    public async Task ACampaignBuiltInTheAppCountsItsEmailsAndSendsNothingWhilePaused()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var app = await AppSession.StartAsync(browser, adjust: s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        await app.AddTagAsync("Lead");
        var bert = await app.AddContactDirectAsync("bert@example.com");
        var ada = await app.AddContactDirectAsync("ada@example.com", new() { ["fieldFirstName"] = "Ada" }); // the newest: the preview's sample
        await app.SignInAsync();
        var page = app.Page;

        // Made paused, with a draft email; written into two emails with a wait between them.
        var campaignPage = await CreateAsync(page, "Nurture", "Lead");
        await page.Locator("input[name='Steps[0].Subject']").FillAsync("One");
        await page.Locator("textarea[name='Steps[0].Text']").FillAsync("Hello {{fieldFirstName}}, welcome.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Wait", Exact = true }).ClickAsync();
        await Expect(page.Locator("#step-1")).ToContainTextAsync("Step 2 · Wait");
        await Expect(page.Locator("#unsaved")).ToBeVisibleAsync();
        await Expect(page.Locator("input[name='Steps[0].Subject']")).ToHaveValueAsync("One"); // what was typed survives adding a step
        await Expect(page.Locator("select[name='Steps[1].Weekday']")).ToBeHiddenAsync(); // a wait of an amount shows no day
        await page.Locator("select[name='Steps[1].Unit']").SelectOptionAsync("weekday");
        await Expect(page.Locator("input[name='Steps[1].Amount']")).ToBeHiddenAsync();
        await Expect(page.Locator("select[name='Steps[1].Weekday']")).ToBeVisibleAsync();
        await page.Locator("select[name='Steps[1].Unit']").SelectOptionAsync("hours");
        await page.Locator("input[name='Steps[1].Amount']").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Email", Exact = true }).ClickAsync();
        await page.Locator("input[name='Steps[2].Subject']").FillAsync("Two for {{fieldFirstName}}");
        await page.Locator("textarea[name='Steps[2].Text']").FillAsync("Second, {{fieldFirstName}}: https://example.com/offer");
        await page.Locator("#step-2").GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.Locator("#step-2 #preview")).ToContainTextAsync("ada@example.com");
        await Expect(page.Locator("#preview .preview-subject")).ToHaveTextAsync("Two for Ada");
        await Expect(page.Locator("#preview .preview-text")).ToContainTextAsync("Second, Ada:");
        await Expect(page.Locator("#preview .preview-text")).ToContainTextAsync("/mail/preview/unsubscribe"); // the unsubscribe link it gets
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync("Saved.");
        await Expect(page.Locator("#steps > li")).ToHaveCountAsync(3);

        // A refused change says which step is wrong, in the page's words, and saves nothing.
        await page.Locator("input[name='Steps[2].Subject']").FillAsync("Hi {{ fieldFirstName | }}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#error")).ToContainTextAsync("Step 3's subject is not a valid template: line 1: ");
        await Expect(page.Locator("input[name='Steps[2].Subject']")).ToHaveValueAsync("Hi {{ fieldFirstName | }}"); // kept, to correct
        await page.GotoAsync(campaignPage);
        await Expect(page.Locator("input[name='Steps[2].Subject']")).ToHaveValueAsync("Two for {{fieldFirstName}}");
        await app.ScreenshotAsync("campaign");

        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(page.Locator("#campaign-state")).ToContainTextAsync("Active");
        await WebhookPagesTests.TagAsync(app, ada, "Lead");
        var first = await smtp.ReceiveAsync();
        Assert.Equal(("ada@example.com", "One"), (first.To.Mailboxes.Single().Address, first.Subject));
        Assert.Contains("Hello Ada, welcome.", first.TextBody, StringComparison.Ordinal);

        // Counted on the list, and per step on the campaign's page.
        await page.GotoAsync("/app/campaigns");
        var row = page.Locator("#campaigns tbody tr", new() { HasText = "Nurture" });
        await WebhookPagesTests.ReloadUntilAsync(app, row.Locator("td.sent"), "1");
        await Expect(row.Locator("td.started")).ToHaveTextAsync("1");
        await Expect(row.Locator("td.running")).ToHaveTextAsync("1");
        await Expect(row.Locator("td.state")).ToHaveTextAsync("Active");
        await app.ScreenshotAsync("campaigns");

        // Paused from the list: Ada's wait ends and Bert enters, and nothing is sent.
        await row.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToContainTextAsync("“Nurture” is paused");
        await Expect(row.Locator("td.state")).ToHaveTextAsync("Paused");
        await WebhookPagesTests.TagAsync(app, bert, "Lead");
        app.Host.Clock.Advance(TimeSpan.FromHours(3));
        await Task.Delay(1000);
        Assert.True(smtp.NothingReceived);
        await app.SignInAsync(); // three hours idle: the session has ended
        await page.GotoAsync(campaignPage);
        await Expect(page.Locator("#campaign-state")).ToContainTextAsync("Paused since");
        await Expect(page.Locator("#campaign-figures .running")).ToHaveTextAsync("2");
        await Expect(page.Locator("#step-0 .sent")).ToHaveTextAsync("1");
        await Expect(page.Locator("#step-2 .sent")).ToHaveTextAsync("0");
        await Expect(page.Locator("#step-0 .waiting")).ToHaveTextAsync("1 contact goes on from here"); // Bert, at the first step
        await Expect(page.Locator("#step-2 .waiting")).ToHaveTextAsync("1 contact goes on from here"); // Ada, after her wait

        // Moving a step while contacts run asks first, and saves nothing unasked.
        await page.GetByRole(AriaRole.Button, new() { Name = "Move step 1 down" }).ClickAsync();
        await Expect(page.Locator("#reorder-warning")).ToContainTextAsync("2 contacts are running this campaign.");
        await Expect(page.Locator("#step-0")).ToContainTextAsync("Step 1 · Wait");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#error")).ToContainTextAsync("tick the box");
        await page.GotoAsync(campaignPage);
        await Expect(page.Locator("#step-0")).ToContainTextAsync("Step 1 · Email");

        // Resumed: the steps that fell due run at once.
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToContainTextAsync("Resumed");
        var next = new[] { await smtp.ReceiveAsync(), await smtp.ReceiveAsync() }.Select(m => (m.To.Mailboxes.Single().Address, m.Subject)).Order().ToList();
        Assert.Equal([("ada@example.com", "Two for Ada"), ("bert@example.com", "One")], next);
        await page.GotoAsync(campaignPage);
        await WebhookPagesTests.ReloadUntilAsync(app, page.Locator("#step-2 .sent"), "1");
        await Expect(page.Locator("#step-0 .sent")).ToHaveTextAsync("2");
    }

    [Fact]
    public async Task ATemplateErrorIsShownWithItsStepFieldAndLineAndWhatWasTypedIsKept()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.AddTagAsync("Lead");
        await app.AddContactDirectAsync("ada@example.com", new() { ["fieldFirstName"] = "Ada" });
        await app.SignInAsync();
        var page = app.Page;
        var campaignPage = await CreateAsync(page, "Liquid", "Lead");

        // Liquid in the preview: a default and a condition on the sample contact's tags (Ada has none).
        const string subject = """Hi {{ fieldFirstName | default: "there" }}{% if tags contains "VIP" %}, VIP{% endif %}""";
        await page.Locator("input[name='Steps[0].Subject']").FillAsync(subject);
        await page.Locator("#step-0").GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.Locator("#preview .preview-subject")).ToHaveTextAsync("Hi Ada");

        const string html = "<p>Hello {{ fieldFirstName }},</p>\n<p>{% if fieldCity %}from {{ fieldCity }}</p>\n<p>{{ fieldCity | }}</p>";
        await page.Locator("textarea[name='Steps[0].Html']").FillAsync(html);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#error")).ToContainTextAsync("Step 1's HTML body is not a valid template: line 3: ");
        await Expect(page.Locator("textarea[name='Steps[0].Html']")).ToHaveValueAsync(html);
        await Expect(page.Locator("input[name='Steps[0].Subject']")).ToHaveValueAsync(subject);
        await page.Locator("#step-0").GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.Locator("#error")).ToContainTextAsync("Step 1's HTML body is not a valid template: line 3: ");

        await page.GotoAsync(campaignPage);
        await Expect(page.Locator("input[name='Steps[0].Subject']")).ToHaveValueAsync(CampaignForm.DraftEmail.Subject!); // nothing was saved
        await Expect(page.Locator("textarea[name='Steps[0].Html']")).ToHaveValueAsync("");
    }

    [Fact]
    public async Task ALoopThatDoesNotEndIsExplainedByThePreviewAndTheEmailsItSkipsAreCountedPerStep()
    {
        await using var app = await AppSession.StartAsync(browser, adjust: Fast);
        await app.AddTagAsync("Lead");
        var ada = await app.AddContactDirectAsync("ada@example.com", new() { ["fieldFirstName"] = "Ada" });
        await app.SignInAsync();
        var page = app.Page;
        var campaignPage = await CreateAsync(page, "Loop", "Lead");

        await page.Locator("textarea[name='Steps[0].Text']").FillAsync(Runaway);
        await page.Locator("#step-0").GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.Locator("#error")).ToContainTextAsync("Step 1 cannot be shown for ada@example.com: The template ran past its limits");
        await Expect(page.Locator("textarea[name='Steps[0].Text']")).ToHaveValueAsync(Runaway);

        // Saved and running: Ada's email is skipped, counted on the step, and her run goes on to its end.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync("Saved.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await WebhookPagesTests.TagAsync(app, ada, "Lead");
        await page.GotoAsync(campaignPage);
        await WebhookPagesTests.ReloadUntilAsync(app, page.Locator("#step-0 .skipped"), "1");
        await Expect(page.Locator("#step-0 .sent")).ToHaveTextAsync("0");
        await Expect(page.Locator("#step-0 .skipped-template")).ToContainTextAsync("1 because the template could not be filled");
        await Expect(page.Locator("#campaign-figures .finished")).ToHaveTextAsync("1");
    }

    /// <summary>A million steps, ten times Fluid's limit: a loop that, for the owner, does not end.</summary>
    internal const string Runaway = "{% for i in (1..1000) %}{% for j in (1..1000) %}{% assign x = j %}{% endfor %}{% endfor %}Hi";

    /// <summary>Makes a campaign on the campaigns page, paused with its draft email; answers its page's address.</summary>
    private static async Task<string> CreateAsync(IPage page, string name, string tag)
    {
        await page.GotoAsync("/app/campaigns");
        await page.Locator("#create-campaign input[name=Name]").FillAsync(name);
        await page.Locator("#create-campaign select[name=TagId]").SelectOptionAsync(new SelectOptionValue { Label = tag });
        await page.GetByRole(AriaRole.Button, new() { Name = "Create campaign" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToContainTextAsync("created, paused");
        return page.Url.Split('?')[0];
    }

    [Fact]
    public async Task AnotherAccountsCampaignIsNotFound()
    {
        await using var app = await AppSession.StartAsync(browser);
        using var client = await app.Host.NewAccountClientAsync("bert");
        var tag = await CreateTagAsync(client, "Theirs");
        var theirs = Text(await CreateCampaignAsync(client, new
        {
            name = "Theirs",
            tagid = tag,
            steps = new object[] { new { type = "email", subject = "Hi", text = "Hello." } },
        }), "id");
        await app.SignInAsync();

        var answer = await app.Page.GotoAsync($"/app/campaigns/{theirs}");
        Assert.Equal((int)HttpStatusCode.NotFound, answer!.Status);
        await Expect(app.Page.Locator("h1")).ToHaveTextAsync("Not found");
        await app.Page.GotoAsync("/app/campaigns");
        await Expect(app.Page.Locator("#campaigns")).Not.ToContainTextAsync("Theirs");
        await Expect(app.Page.Locator("#campaigns")).ToContainTextAsync("No campaigns yet.");
    }
}
