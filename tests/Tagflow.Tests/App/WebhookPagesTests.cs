using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tagflow.Accounts;
using Tagflow.Tests.Automations;
using Tagflow.Tests.Infrastructure;
using Tagflow.Webhooks;
using static Microsoft.Playwright.Assertions;

namespace Tagflow.Tests.App;

/// <summary>The webhooks pages, in a real browser, calling a real receiver in the test.</summary>
[Collection(AppCollection.Name)]
public sealed class WebhookPagesTests(AppBrowser browser)
{
    [Fact]
    public async Task AWebhookMadeInTheAppLogsItsCallsAndAFailedCallIsRetriedFromThePage()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await AppSession.StartAsync(browser, adjust: AutomationCalls.Fast);
        await app.AddTagAsync("Customer");
        var ada = await app.AddContactDirectAsync("ada@example.com", new() { ["fieldFirstName"] = "Ada" });
        var bert = await app.AddContactDirectAsync("bert@example.com");
        await app.SignInAsync();

        var secret = await CreateAsync(app, "CRM", "Customer", receiver.Url("/hook?mail=__email__"));
        await app.Page.Locator("#open-webhook").ClickAsync();
        await app.Page.Locator("input[name='Parameters[0].Name']").FillAsync("first");
        await app.Page.Locator("select[name='Parameters[0].Sends']").SelectOptionAsync(new SelectOptionValue { Label = "First name" });
        await app.Page.Locator("input[name='Parameters[1].Name']").FillAsync("source");
        await app.Page.Locator("input[name='Parameters[1].Value']").FillAsync("tagflow");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("Saved.");
        var webhookPage = app.Page.Url;

        await TagAsync(app, ada, "Customer");
        var call = await receiver.ReceiveAsync();
        Assert.Equal("/hook?mail=ada%40example.com", call.PathAndQuery);
        using (var body = JsonDocument.Parse(call.Body))
        {
            Assert.Equal("ada@example.com", body.RootElement.GetProperty("email").GetString());
            Assert.Equal("Ada", body.RootElement.GetProperty("first").GetString());
            Assert.Equal("tagflow", body.RootElement.GetProperty("source").GetString());
        }
        WebhookCalls.AssertSigned(call, secret);
        await app.Page.GotoAsync(webhookPage);
        var delivered = app.Page.Locator("#deliveries tbody.delivery");
        await ReloadUntilAsync(app, delivered.First, "Delivered");
        await Expect(delivered).ToHaveCountAsync(1);
        await Expect(delivered).ToContainTextAsync("Trigger tag added");
        await Expect(delivered).ToContainTextAsync("ada@example.com");
        await delivered.Locator("summary").ClickAsync();
        await Expect(delivered.Locator("tr.attempt")).ToHaveCountAsync(1);
        await Expect(delivered.Locator("tr.attempt")).ToContainTextAsync("200");
        await Expect(delivered.Locator(".payload")).ToContainTextAsync("\"first\":\"Ada\"");

        // The receiver fails: the attempt is logged with its status and what the receiver said, and "Retry" calls it again now.
        receiver.AnswerFromNow(500, body: "Database is down");
        await TagAsync(app, bert, "Customer");
        var failed = await receiver.ReceiveAsync();
        await app.Page.GotoAsync(webhookPage);
        var latest = app.Page.Locator("#deliveries tbody.delivery").First;
        await ReloadUntilAsync(app, latest, "next attempt");
        await Expect(latest).ToContainTextAsync("bert@example.com");
        await Expect(latest.Locator("td.state")).ToContainTextAsync("Waiting");
        await latest.Locator("summary").ClickAsync();
        var attempt = latest.Locator("tr.attempt");
        await Expect(attempt).ToHaveCountAsync(1);
        await Expect(attempt).ToContainTextAsync("500");
        await Expect(attempt).ToContainTextAsync("Database is down");

        receiver.AnswerFromNow(200);
        await latest.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToContainTextAsync("tried again now");
        var retried = await receiver.ReceiveAsync();
        Assert.Equal(failed.Header("webhook-id"), retried.Header("webhook-id")); // the same call, not a new one
        Assert.Equal(failed.Body, retried.Body);
        latest = app.Page.Locator("#deliveries tbody.delivery").First;
        await ReloadUntilAsync(app, latest.Locator("td.state"), "Delivered");
        await latest.Locator("summary").ClickAsync();
        await Expect(latest.Locator("tr.attempt")).ToHaveCountAsync(2);
        await Expect(latest.Locator("tr.attempt").Nth(1)).ToContainTextAsync("200");
        await Expect(latest.GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToHaveCountAsync(0);
        await app.ScreenshotAsync("webhook");
        await app.Page.GotoAsync("/app/webhooks");
        await Expect(app.Page.Locator("#webhooks")).ToContainTextAsync("CRM");
        await app.ScreenshotAsync("webhooks");
    }

    [Fact]
    public async Task ATestEventIsSignedMarkedAsATestAndLoggedAndADisabledWebhookSendsNone()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await AppSession.StartAsync(browser, adjust: AutomationCalls.Fast);
        await app.SignInAsync();
        var secret = await CreateAsync(app, "Zapier", null, receiver.Url("/zap"));
        await app.Page.Locator("#open-webhook").ClickAsync();
        var webhookPage = app.Page.Url;

        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Send a test event" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToContainTextAsync("A test event");
        var call = await receiver.ReceiveAsync();
        WebhookCalls.AssertSigned(call, secret);
        Assert.StartsWith("msg_", call.Header("webhook-id"), StringComparison.Ordinal);
        using (var body = JsonDocument.Parse(call.Body))
        {
            Assert.Equal("true", body.RootElement.GetProperty("tagflow_test").GetString());
            Assert.Equal("test@example.com", body.RootElement.GetProperty("email").GetString());
        }
        var delivery = app.Page.Locator("#deliveries tbody.delivery");
        await ReloadUntilAsync(app, delivery.First, "Delivered");
        await Expect(delivery).ToContainTextAsync("Test event");

        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(app.Page.Locator("#webhook-state")).ToContainTextAsync("Disabled since");
        await Expect(app.Page.GetByRole(AriaRole.Button, new() { Name = "Send a test event" })).ToBeDisabledAsync();
        await app.Page.GotoAsync("/app/webhooks");
        await Expect(app.Page.Locator("#webhooks tr", new() { HasText = "Zapier" })).ToContainTextAsync("Disabled");
        await app.Page.GotoAsync(webhookPage);
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Enable" }).ClickAsync();
        await Expect(app.Page.Locator("#webhook-state")).ToContainTextAsync("Enabled");

        // The same rules as the API: a placeholder no parameter fills is refused, and nothing is changed.
        await app.Page.GetByLabel("URL", new() { Exact = true }).FillAsync(receiver.Url("/zap?who=__nobody__"));
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(app.Page.Locator("#error")).ToContainTextAsync("__nobody__");
        await app.Page.GotoAsync(webhookPage);
        await Expect(app.Page.GetByLabel("URL", new() { Exact = true })).ToHaveValueAsync(receiver.Url("/zap"));

        await app.Page.GetByLabel("Delete the webhook").CheckAsync();
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Delete webhook" }).ClickAsync();
        // The enhanced form's redirect changes the address without a load event: the address is polled for.
        await Expect(app.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/app/webhooks\\?done=deleted$"));
        await Expect(app.Page.Locator("#webhooks")).Not.ToContainTextAsync("Zapier");
        Assert.True(receiver.NothingReceived);
    }

    [Fact]
    public async Task AWebhookToAPrivateAddressIsRefusedWithTheApisRule()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.SignInAsync();
        await app.Page.GotoAsync("/app/webhooks");
        await app.Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Intranet");
        await app.Page.GetByLabel("URL", new() { Exact = true }).FillAsync("http://127.0.0.1:8080/hook");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        await Expect(app.Page.Locator("#error")).ToContainTextAsync("private or special-purpose address");
        await Expect(app.Page.Locator("#webhooks")).ToContainTextAsync("No webhooks yet.");
    }

    [Fact]
    public async Task AnotherAccountsWebhookAnswersNotFound()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.Host.AddAccountAsync("bob", Plan.Standard);
        var bob = await app.AccountIdAsync("bob");
        var id = await app.WithServicesAsync(async sp => (await sp.GetRequiredService<WebhookAdmin>()
            .SaveAsync(bob, null, new WebhookRequest("Bob's hook", null, "https://example.com/bob", null, null, []), CancellationToken.None)).Webhook!.Id);
        await app.SignInAsync();

        var response = await app.Page.GotoAsync($"/app/webhooks/{id}");
        Assert.Equal(404, response!.Status);
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await app.Page.GotoAsync("/app/webhooks");
        await Expect(app.Page.Locator("#webhooks")).Not.ToContainTextAsync("Bob's hook");
    }

    /// <summary>Creates a webhook on the webhooks page; answers its secret, shown once.</summary>
    private static async Task<string> CreateAsync(AppSession app, string name, string? tag, string url)
    {
        await app.Page.GotoAsync("/app/webhooks");
        await app.Page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        if (tag is not null) await app.Page.Locator("#create-webhook select[name=TagId]").SelectOptionAsync(new SelectOptionValue { Label = tag });
        await app.Page.GetByLabel("URL", new() { Exact = true }).FillAsync(url);
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        await Expect(app.Page.Locator("#new-secret")).ToContainTextAsync($"The webhook “{name}” was created.");
        var secret = (await app.Page.Locator("#webhook-secret").InnerTextAsync()).Trim();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        return secret;
    }

    /// <summary>Tags a contact on its page.</summary>
    internal static async Task TagAsync(AppSession app, long contactId, string tag)
    {
        await app.Page.GotoAsync($"/app/contacts/{contactId}");
        await app.Page.Locator("select[name=AddTagId]").SelectOptionAsync(new SelectOptionValue { Label = tag });
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await Expect(app.Page.Locator("#tags")).ToContainTextAsync(tag);
    }

    /// <summary>
    /// Opens the page again until <paramref name="locator"/> shows <paramref name="text"/>: the log is rendered on the server, once, as the page loads.
    /// (Not a reload: after a form, that would send the form again.)
    /// </summary>
    internal static async Task ReloadUntilAsync(AppSession app, ILocator locator, string text)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (await locator.CountAsync() > 0 && (await locator.InnerTextAsync()).Contains(text, StringComparison.Ordinal)) return;
            if (DateTime.UtcNow > until) await Expect(locator).ToContainTextAsync(text, new() { Timeout = 1 });
            await Task.Delay(200);
            await app.Page.GotoAsync(app.Page.Url);
        }
    }
}
