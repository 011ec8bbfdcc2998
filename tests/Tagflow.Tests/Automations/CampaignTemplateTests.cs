using System.Text.RegularExpressions;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// A campaign email as it arrives at the relay: its Liquid subject and body filled for the contact,
/// its styles inlined, its links tracked, and a text part made from its HTML.
/// </summary>
public sealed partial class CampaignTemplateTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnHtmlOnlyEmailArrivesPersonalisedWithInlinedStylesTrackedLinksAndATextPart(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var vip = await CreateTagAsync(client, "VIP");
        await CreateCampaignAsync(client, new
        {
            name = "Welcome",
            tagid = vip,
            steps = new object[]
            {
                new
                {
                    type = "email",
                    subject = """Hi {{ fieldFirstName | default: "there" }}{% if tags contains "VIP" %}, our VIP{% endif %}""",
                    html = """
                        <html><head><style>p.lead { color: #c00; } a.button { font-weight: bold; }</style></head><body>
                        <p class="lead">Hello {{ fieldFirstName }} from {{ fieldCity | default: "somewhere" }},</p>
                        <p>our <a class="button" href="https://shop.example/deals?a=1&amp;b=2">deals</a> &amp; more.<br>See you!</p>
                        <p><a href="{{ unsubscribe_url }}">Leave</a></p>
                        </body></html>
                        """,
                },
            },
        });

        await SubscribeAsync(client, "bert@example.com", list, vip, new() { ["fieldFirstName"] = "Bert <3" });
        var message = await smtp.ReceiveAsync();

        Assert.Equal("Hi Bert <3, our VIP", message.Subject);
        var html = message.HtmlBody ?? "";
        Assert.DoesNotContain("<style", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"lead\" style=\"color: #c00\">Hello Bert &lt;3 from somewhere,</p>", html, StringComparison.Ordinal);
        // The inlined link is tracked, and keeps its inlined style.
        var button = Assert.Single(Button().Matches(html));
        Assert.Contains("style=\"font-weight: bold\"", button.Value, StringComparison.Ordinal);
        Assert.Matches("/mail/[^/]+/click/0$", button.Groups[1].Value);
        Assert.Contains("/open\"", html, StringComparison.Ordinal);
        // The template's own unsubscribe link is this email's, as its header's; no other is added.
        var unsubscribe = message.Headers["List-Unsubscribe"]!.Trim('<', '>');
        Assert.Contains($"<a href=\"{unsubscribe}\">Leave</a>", html, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "/unsubscribe\""));

        // The text part is the HTML's text, its link tracked like the HTML's, the unsubscribe link as it is.
        var text = message.TextBody;
        Assert.NotNull(text);
        Assert.StartsWith($"Hello Bert <3 from somewhere,\n\nour deals ({button.Groups[1].Value}) & more.\nSee you!\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains($"Leave ({unsubscribe})", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", text.Replace("Bert <3", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("&amp;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("shop.example", text, StringComparison.Ordinal);
    }

    [GeneratedRegex("""<a class="button" href="([^"]+)"[^>]*>""")]
    private static partial Regex Button();
}
