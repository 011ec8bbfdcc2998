using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// The links in a campaign email, followed as a mail client follows them (no credentials, no
/// cookies): the tracking image, click links that lead only to the URLs the email held, the
/// SmartTags they assign (which start further campaigns), and the one-click unsubscribe of RFC 8058.
/// </summary>
public sealed partial class EmailLinkTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OpeningTheTrackingImageRecordsTheOpenOnceAndAssignsTheOpenedSmartTag(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Buyer");
        await CreateCampaignAsync(client, new
        {
            name = "Welcome",
            tagid = start,
            steps = new object[] { new { type = "email", subject = "Hello", text = "Hi there", html = "<p>Hi there</p>" } },
        });
        var id = await SubscribeAsync(client, "bert@example.com", list, start);
        var open = OpenLink(await smtp.ReceiveAsync());
        var sent = Assert.Single(Map(await GetAsync(client, id), "emails_sent")).Key;
        Assert.Empty(Map(await GetAsync(client, id), "emails_opened"));

        host.Clock.Advance(TimeSpan.FromHours(1));
        using var browser = host.NewClient();
        using var image = await browser.GetAsync(open);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/gif", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal("GIF89a"u8.ToArray(), (await image.Content.ReadAsByteArrayAsync())[..6]);

        var contact = await GetAsync(client, id);
        Assert.Equal(new Dictionary<string, string> { [sent] = UnixNow(host) }, Map(contact, "emails_opened"));
        Assert.Empty(Map(contact, "emails_clicked"));
        var smartTags = await SmartTagsAsync(client, id);
        Assert.Contains("Opened: Welcome / Hello", smartTags.Keys);
        Assert.DoesNotContain(smartTags.Keys, name => name.StartsWith("Clicked:", StringComparison.Ordinal));

        // A second open changes nothing: the first time stays.
        var firstOpen = UnixNow(host);
        host.Clock.Advance(TimeSpan.FromHours(1));
        using var again = await browser.GetAsync(open);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(firstOpen, Map(await GetAsync(client, id), "emails_opened")[sent]);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AClickLinkRedirectsExactlyToTheUrlTheEmailHeldAndRecordsTheClickAndTheOpen(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Buyer");
        await CreateCampaignAsync(client, new
        {
            name = "Promo",
            tagid = start,
            steps = new object[]
            {
                new
                {
                    type = "email", subject = "Deals",
                    text = "Shoes: https://shop.example/shoes?size=42&color=red and hats: https://shop.example/hats.",
                    html = "<p><a href=\"https://shop.example/shoes?size=42&amp;color=red\">Shoes</a> <a href=\"https://shop.example/hats\">Hats</a></p>",
                },
            },
        });
        var id = await SubscribeAsync(client, "bert@example.com", list, start);
        var message = await smtp.ReceiveAsync();

        // Every link passes through Tagflow, in the HTML and in the text.
        Assert.DoesNotContain("shop.example", message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("shop.example", message.TextBody, StringComparison.Ordinal);
        var clicks = ClickLinks(message.HtmlBody);
        Assert.Equal(2, clicks.Count);
        Assert.Equal(clicks, ClickLinks(message.TextBody)); // the same links, in the same order

        using var browser = host.NewClient();
        var unknown = Regex.Replace(clicks[1], "/click/[0-9]+$", "/click/2");
        using (var notThere = await browser.GetAsync(unknown))
            Assert.Equal(HttpStatusCode.NotFound, notThere.StatusCode);
        var madeUpToken = Regex.Replace(clicks[0], "/mail/[^/]+/", "/mail/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/");
        using (var notThere = await browser.GetAsync(madeUpToken))
            Assert.Equal(HttpStatusCode.NotFound, notThere.StatusCode);
        Assert.Empty(Map(await GetAsync(client, id), "emails_clicked")); // an unknown link counts nothing

        using (var hats = await browser.GetAsync(clicks[1]))
        {
            Assert.Equal(HttpStatusCode.Redirect, hats.StatusCode);
            Assert.Equal("https://shop.example/hats", hats.Headers.Location?.OriginalString);
        }
        using (var shoes = await browser.GetAsync(clicks[0]))
        {
            Assert.Equal(HttpStatusCode.Redirect, shoes.StatusCode);
            Assert.Equal("https://shop.example/shoes?size=42&color=red", shoes.Headers.Location?.OriginalString);
        }

        var contact = await GetAsync(client, id);
        var sent = Assert.Single(Map(contact, "emails_sent")).Key;
        Assert.Equal([sent], Map(contact, "emails_clicked").Keys);
        Assert.Equal([sent], Map(contact, "emails_opened").Keys); // a click is an open too
        var smartTags = await SmartTagsAsync(client, id);
        Assert.Contains("Clicked: Promo / Deals", smartTags.Keys);
        Assert.Contains("Opened: Promo / Deals", smartTags.Keys);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheOpenedSmartTagStartsACampaignThatHasItAsStartTag(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Buyer");
        await CreateCampaignAsync(client, new
        {
            name = "Welcome",
            tagid = start,
            steps = new object[] { new { type = "email", subject = "Hello", text = "Hi", html = "<p>Hi</p>" } },
        });

        // The SmartTag comes into being with the first open; a second campaign can then start with it.
        var bert = await SubscribeAsync(client, "bert@example.com", list, start);
        using var browser = host.NewClient();
        using (var image = await browser.GetAsync(OpenLink(await smtp.ReceiveAsync())))
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        var opened = (await SmartTagsAsync(client, bert))["Opened: Welcome / Hello"];
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        var followUp = await CreateCampaignAsync(client, new
        {
            name = "Openers",
            tagid = long.Parse(opened, System.Globalization.CultureInfo.InvariantCulture),
            steps = new object[] { new { type = "email", subject = "Thanks for reading", text = "More to come." } },
        });
        var followUpId = followUp.GetProperty("id").GetString()!;

        var carl = await SubscribeAsync(client, "carl@example.com", list, start);
        var hello = await smtp.ReceiveAsync();
        Assert.Equal(("carl@example.com", "Hello"), (hello.To.Mailboxes.Single().Address, hello.Subject));
        await Task.Delay(300);
        Assert.True(smtp.NothingReceived);

        using (var image = await browser.GetAsync(OpenLink(hello)))
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        var thanks = await smtp.ReceiveAsync();
        Assert.Equal(("carl@example.com", "Thanks for reading"), (thanks.To.Mailboxes.Single().Address, thanks.Subject));
        Assert.True(Map(await GetAsync(client, carl), "campaigns_started").ContainsKey(followUpId));
        // Bert had the SmartTag before the second campaign existed: he does not enter it.
        await Task.Delay(300);
        Assert.True(smtp.NothingReceived);
        Assert.False(Map(await GetAsync(client, bert), "campaigns_started").ContainsKey(followUpId));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheOneClickUnsubscribePostUnsubscribesTheContactAndStopsTheCampaign(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        var campaign = await CreateCampaignAsync(client, TwoEmails("Nurture", start));
        var id = await SubscribeAsync(client, "bert@example.com", list, start);
        var first = await smtp.ReceiveAsync();
        var unsubscribe = UnsubscribeLink(first);
        Assert.Contains(unsubscribe, first.TextBody, StringComparison.Ordinal); // the visible link is the same

        // What a mail client sends (RFC 8058): a form POST, no cookies, no credentials.
        using var mailClient = host.NewClient();
        using var response = await mailClient.PostAsync(unsubscribe, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);

        var contact = await GetAsync(client, id);
        Assert.Equal("Unsubscribed", Text(contact, "status"));
        Assert.Equal("127.0.0.1", Text(contact, "unsubscription_ip"));
        host.Clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(500);
        Assert.True(smtp.NothingReceived);
        var stopped = await WireAssert.OkAsync(await client.GetAsync($"/campaign/{campaign.GetProperty("id").GetString()}"));
        Assert.Equal(("0", "1"), (stopped.GetProperty("running").GetString(), stopped.GetProperty("stopped").GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OpeningTheUnsubscribeLinkShowsAPageAndDoesNotUnsubscribe(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        await CreateCampaignAsync(client, TwoEmails("Nurture", start));
        var id = await SubscribeAsync(client, "bert@example.com", list, start);
        var unsubscribe = UnsubscribeLink(await smtp.ReceiveAsync());

        using var scanner = host.NewClient();
        using var page = await scanner.GetAsync(unsubscribe);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.StartsWith("text/html", page.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Contains("<form method=\"post\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal("Subscribed", Text(await GetAsync(client, id), "status"));
        host.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("Two", (await smtp.ReceiveAsync()).Subject); // the campaign goes on
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnEmailsUnsubscribeLinkStillWorksAfterItsCampaignIsDeleted(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        var campaign = await CreateCampaignAsync(client, TwoEmails("Nurture", start));
        var id = await SubscribeAsync(client, "bert@example.com", list, start);
        var unsubscribe = UnsubscribeLink(await smtp.ReceiveAsync());

        await AssertTrueAsync(await client.DeleteAsync($"/campaign/{campaign.GetProperty("id").GetString()}"));
        Assert.Single(Map(await GetAsync(client, id), "emails_sent")); // the email is still on record

        using var mailClient = host.NewClient();
        using var response = await mailClient.PostAsync(unsubscribe, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unsubscribed", Text(await GetAsync(client, id), "status"));
    }

    /// <summary>A campaign of an email, an hour's wait and another email.</summary>
    internal static object TwoEmails(string name, long start) => new
    {
        name,
        tagid = start,
        steps = new object[]
        {
            new { type = "email", subject = "One", text = "1" },
            new { type = "wait", seconds = 3600 },
            new { type = "email", subject = "Two", text = "2" },
        },
    };

    /// <summary>The tracking image's URL in the email's HTML.</summary>
    private static string OpenLink(MimeMessage message) => Assert.Single(OpenImage().Matches(message.HtmlBody ?? "")).Groups[1].Value;

    /// <summary>The click links of a body, in order, each once.</summary>
    private static List<string> ClickLinks(string? body) => [.. ClickLink().Matches(body ?? "").Select(m => m.Value).Distinct()];

    /// <summary>The URL of the List-Unsubscribe header.</summary>
    private static string UnsubscribeLink(MimeMessage message) => (message.Headers["List-Unsubscribe"] ?? "").Trim().TrimStart('<').TrimEnd('>');

    [GeneratedRegex("""<img src="(https?://[^"]+/mail/[^/"]+/open)" """)]
    private static partial Regex OpenImage();

    [GeneratedRegex("""https?://[^\s"<>]+/mail/[^/\s"<>]+/click/[0-9]+""")]
    private static partial Regex ClickLink();
}
