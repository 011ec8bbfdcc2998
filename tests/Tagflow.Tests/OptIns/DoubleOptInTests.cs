using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Tagflow.Delivery;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.OptIns;

/// <summary>
/// The double opt-in over real SMTP: the confirmation email reaches an SMTP server in the test
/// process before the answer, its link confirms the contact with proof, and a relay that refuses
/// makes the request fail with error 6 and leaves nothing behind.
/// </summary>
public sealed partial class DoubleOptInTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheConfirmationEmailsLinkSubscribesTheContactWithProofAndRedirectsToTheThankYouPage(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await ProcessManagementTests.CreateAsync(client, new
        {
            name = "Newsletter",
            thankyouurl = "https://example.com/welcome",
            sendername = "Anna's Shop",
            senderaddress = "news@shop.example",
            subject = "Bitte bestätigen, {{fieldFirstName}}",
            text = "Hallo {{fieldFirstName}}, bitte hier bestätigen: {{confirm_url}}",
            html = "<p>Hallo {{fieldFirstName}}, <a href=\"{{confirm_url}}\">bestätigen</a></p>",
        });

        var added = await AddAsync(client, new { email = "bert@example.com", listid = list, fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert <b>" } });
        Assert.Equal("Opt-In Pending", Text(added, "status"));

        var message = await smtp.ReceiveAsync();
        Assert.Equal("news@shop.example", message.From.Mailboxes.Single().Address);
        Assert.Equal("Anna's Shop", message.From.Mailboxes.Single().Name);
        Assert.Equal("bert@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal("Bitte bestätigen, Bert <b>", message.Subject);
        Assert.Contains("Hallo Bert &lt;b&gt;", message.HtmlBody, StringComparison.Ordinal); // escaped in HTML
        var link = Link(message);
        Assert.Contains(link, message.HtmlBody, StringComparison.Ordinal);
        Assert.StartsWith(host.BaseAddress + "optin/", link, StringComparison.Ordinal);

        using var browser = host.NewClient();
        browser.DefaultRequestHeaders.UserAgent.ParseAdd("TestBrowser/1.0");
        using var head = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Head, link)); // a mail scanner's check
        Assert.Equal("Opt-In Pending", Text(await GetAsync(client, Text(added, "id")), "status"));

        host.Clock.Advance(TimeSpan.FromHours(2));
        using var opened = await browser.GetAsync(link);
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal("https://example.com/welcome", opened.Headers.Location?.ToString());

        var contact = await GetAsync(client, Text(added, "id"));
        Assert.Equal("Subscribed", Text(contact, "status"));
        Assert.Equal("127.0.0.1", Text(contact, "optin_ip"));
        Assert.NotEqual("", Text(contact, "optin"));
        Assert.NotEqual(Text(contact, "date"), Text(contact, "optin")); // the confirmation is kept apart from the sign-up
        var events = await EventsAsync(client);
        Assert.Equal(["contact.created", "contact.subscribed", "tag.added"], events.Select(e => e.Type));
        var smartTag = Assert.Single(Map(contact, "smart_tags")).Key;
        Assert.Equal(smartTag, events[2].TagId);
        Assert.Equal("Opt-in confirmed: Newsletter", (await client.GetFromJsonAsync<Dictionary<string, string>>($"/tag/{smartTag}"))!["name"]);
        Assert.Empty(Map(contact, "manual_tags"));

        // Opening it again only redirects.
        using var again = await browser.GetAsync(link);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal(3, (await EventsAsync(client)).Length);
        // The browser is part of the proof; the wire's contact object has no key for it.
        Assert.Equal("TestBrowser/1.0", await host.WithServicesAsync(sp =>
            sp.GetRequiredService<Tagflow.Data.TagflowDb>().Contacts.Select(c => c.OptInUserAgent).SingleAsync()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ARelayThatRefusesMakesTheRequestFailWithError6AndKeepsNothing(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync(refuse: true);
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var before = await AccountState.ReadAsync(client);

        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "bert@example.com" }), 6);

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AConfirmationEmailWhoseTemplateRunsPastItsLimitsFailsTheRequestWithError6AndKeepsNothing(string provider)
    {
        // Through an SMTP relay (the email is made before the change) and through the outbox (made under the writer).
        await using var smtp = await TestSmtpServer.StartAsync();
        foreach (var throughSmtp in new[] { true, false })
        {
            await using var host = await TagflowHost.StartAsync(provider, s => throughSmtp ? s with { Smtp = SmtpTarget.Parse(smtp.Url()) } : s);
            using var client = await host.NewAccountClientAsync("anna");
            // A million steps, past Fluid's limit of 100,000, for every contact.
            var list = await ProcessManagementTests.CreateAsync(client, new
            {
                name = "Loop", subject = "Please confirm",
                html = "{% for i in (1..1000) %}{% for j in (1..1000) %}{% assign x = j %}{% endfor %}{% endfor %}<a href=\"{{confirm_url}}\">confirm</a>",
            });
            var before = await AccountState.ReadAsync(client);

            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", listid = list }), 6);

            await before.AssertUnchangedAsync(client);
            Assert.True(smtp.NothingReceived);
            if (!throughSmtp)
            {
                var outbox = await host.WithServicesAsync(sp => Task.FromResult(((OutboxRelay)sp.GetRequiredService<IMailRelay>()).Directory));
                Assert.Empty(Directory.Exists(outbox) ? Directory.GetFiles(outbox, "*.eml", SearchOption.AllDirectories) : []);
                Assert.Equal(0, await host.WithServicesAsync(sp => sp.GetRequiredService<Tagflow.Data.TagflowDb>().OutboxMails.CountAsync()));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OnlyANewContactOfADoubleOptInGetsTheEmail(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var single = await ProcessManagementTests.CreateAsync(client, new { name = "Shop", usesingleoptin = true, text = "Danke!" });

        await AddAsync(client, new { email = "bert@example.com" });
        Assert.Equal("bert@example.com", (await smtp.ReceiveAsync()).To.Mailboxes.Single().Address);
        await AddAsync(client, new { email = "bert@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert" } });
        await AddAsync(client, new { email = "carl@example.com", listid = single });

        await Task.Delay(200);
        Assert.True(smtp.NothingReceived);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnknownAndExpiredLinksGetAFriendlyPageAndConfirmNothing(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var id = Text(await AddAsync(client, new { email = "bert@example.com" }), "id");
        var link = Link(await smtp.ReceiveAsync());
        using var browser = host.NewClient();

        using var unknown = await browser.GetAsync(host.BaseAddress + "optin/" + new string('A', 43));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("text/html", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        host.Clock.Advance(TimeSpan.FromDays(31));
        using var expired = await browser.GetAsync(link);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Opt-In Pending", Text(await GetAsync(client, id), "status"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WithoutSmtpTheEmailIsAnEmlFileInTheOutboxWhoseLinkWorks(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var outbox = await host.WithServicesAsync(sp => Task.FromResult(((OutboxRelay)sp.GetRequiredService<IMailRelay>()).Directory));

        var id = Text(await AddAsync(client, new { email = "bert@example.com" }), "id");

        var file = Assert.Single(await Outbox.FilesAsync(outbox, 1));
        var message = await MimeMessage.LoadAsync(file);
        Assert.Equal("bert@example.com", message.To.Mailboxes.Single().Address);
        using var browser = host.NewClient();
        using var opened = await browser.GetAsync(Link(message));
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.EndsWith("/optin/thanks", opened.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Equal("Subscribed", Text(await GetAsync(client, id), "status"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheOutboxWritesAMessageStoredInTheDatabaseAndThenForgetsIt(string provider)
    {
        // What a crash between the commit and the file leaves, or what another instance stored.
        await using var host = await TagflowHost.StartAsync(provider);
        var outbox = await host.WithServicesAsync(sp => Task.FromResult(((OutboxRelay)sp.GetRequiredService<IMailRelay>()).Directory));
        var message = MailMessages.Create("Shop", "news@shop.example", "carla@example.com", "Hallo", "Text", "", DateTimeOffset.UtcNow);
        await host.WithServicesAsync(async sp =>
        {
            using var scope = sp.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<Tagflow.Data.TagflowDb>();
            db.OutboxMails.Add(OutboxRelay.Prepare(message, accountId: 1, DateTime.UtcNow));
            await db.SaveChangesAsync();
            return 0;
        });

        var file = Assert.Single(await Outbox.FilesAsync(outbox, 1));
        Assert.Equal("carla@example.com", (await MimeMessage.LoadAsync(file)).To.Mailboxes.Single().Address);
        Assert.Empty(Directory.GetFiles(outbox, ".*.tmp"));
        var left = int.MaxValue;
        for (var attempt = 0; attempt < 100 && left > 0; attempt++)
        {
            left = await host.WithServicesAsync(async sp =>
            {
                using var scope = sp.CreateScope();
                return await scope.ServiceProvider.GetRequiredService<Tagflow.Data.TagflowDb>().OutboxMails.CountAsync();
            });
            if (left > 0) await Task.Delay(50);
        }
        Assert.Equal(0, left);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnAddOrUpdateRefusedForItsInputWritesNoEmail(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var outbox = await host.WithServicesAsync(sp => Task.FromResult(((OutboxRelay)sp.GetRequiredService<IMailRelay>()).Directory));

        using var refused = await client.PostAsJsonAsync("/subscriber", new { email = "dora@example.com", smsnumber = "not a number" });
        Assert.Equal(HttpStatusCode.NotAcceptable, refused.StatusCode);
        await AddAsync(client, new { email = "emil@example.com" });

        var file = Assert.Single(await Outbox.FilesAsync(outbox, 1));
        Assert.Equal("emil@example.com", (await MimeMessage.LoadAsync(file)).To.Mailboxes.Single().Address);
        await Task.Delay(300);
        Assert.Single(Directory.GetFiles(outbox, "*.eml"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheLinkNeverFollowsTheRequestsHostHeaderAndItsTokenIsNotLogged(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/subscriber") { Content = JsonContent.Create(new { email = "bert@example.com" }) };
        forged.Headers.Host = "evil.example";

        await WireAssert.OkAsync(await client.SendAsync(forged));

        var link = Link(await smtp.ReceiveAsync());
        Assert.StartsWith(host.BaseAddress + "optin/", link, StringComparison.Ordinal);
        using (var opened = await host.NewClient().GetAsync(link)) Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        var token = link[(link.LastIndexOf('/') + 1)..];
        Assert.Contains(host.Logs.Lines, l => l.Contains("GET /optin/…", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(token, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ThePublicUrlMakesTheLinks(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()), PublicUrl = "https://news.example.com/" });
        using var client = await host.NewAccountClientAsync("anna");

        await AddAsync(client, new { email = "bert@example.com" });

        Assert.StartsWith("https://news.example.com/optin/", Link(await smtp.ReceiveAsync()), StringComparison.Ordinal);
    }

    /// <summary>The confirmation link in a message's text part.</summary>
    internal static string Link(MimeMessage message) => ConfirmLink().Match(message.TextBody ?? "").Value;

    [GeneratedRegex(@"https?://\S+/optin/[A-Za-z0-9_-]+")]
    private static partial Regex ConfirmLink();
}
