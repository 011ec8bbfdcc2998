using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Tagflow.Tests.Infrastructure;
using Tagflow.Tests.OptIns;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Wire;

/// <summary>
/// The request log leaves out the tokens of confirmation links and of an email's links, whether the
/// request finds its route, finds none (a made-up path under the link's), or finds the path but not
/// the method.
/// </summary>
public sealed partial class RequestLogTests
{
    private const string MadeUp = "MadeUpTokenMadeUpTokenMadeUpTokenMadeUpTok";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task NoTokenOfAConfirmationOrEmailLinkRealOrMadeUpReachesTheLog(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        await AddAsync(client, new { email = "bert@example.com" }); // the predefined process: a confirmation email
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Buyer");
        await CreateCampaignAsync(client, new { name = "Welcome", tagid = start, steps = new object[] { new { type = "email", subject = "Hello", text = "Hi there" } } });
        await SubscribeAsync(client, "carl@example.com", list, start);
        var outbox = await host.WithServicesAsync(sp => Task.FromResult(sp.GetRequiredService<TagflowSettings>().OutboxDirectory!));
        var messages = await Task.WhenAll((await Outbox.FilesAsync(outbox, 2)).Select(f => MimeMessage.LoadAsync(f)));
        var confirmation = DoubleOptInTests.Link(messages.Single(m => m.Headers["List-Unsubscribe"] is null));
        var confirmationToken = confirmation[(confirmation.LastIndexOf('/') + 1)..];
        var emailToken = EmailToken().Match(messages.Select(m => m.Headers["List-Unsubscribe"]).OfType<string>().Single()).Groups[1].Value;
        Assert.NotEmpty(confirmationToken);
        Assert.NotEmpty(emailToken);

        (HttpMethod Method, string Path, HttpStatusCode Status)[] requests =
        [
            (HttpMethod.Get, $"/optin/{confirmationToken}", HttpStatusCode.Redirect),
            (HttpMethod.Head, $"/optin/{confirmationToken}", HttpStatusCode.OK),
            (HttpMethod.Get, $"/optin/{confirmationToken}.json", HttpStatusCode.Redirect),
            (HttpMethod.Delete, $"/optin/{confirmationToken}", HttpStatusCode.MethodNotAllowed),
            (HttpMethod.Get, $"/optin/{MadeUp}", HttpStatusCode.NotFound),
            (HttpMethod.Get, $"/OPTIN/{MadeUp}", HttpStatusCode.NotFound),
            (HttpMethod.Get, $"/optin/{MadeUp}/more", HttpStatusCode.NotFound),
            (HttpMethod.Post, $"/optin/{MadeUp}", HttpStatusCode.MethodNotAllowed),
            (HttpMethod.Get, $"/mail/{emailToken}/open", HttpStatusCode.OK),
            (HttpMethod.Get, $"/mail/{emailToken}/unsubscribe", HttpStatusCode.OK),
            (HttpMethod.Get, $"/mail/{emailToken}/click/0", HttpStatusCode.NotFound),
            (HttpMethod.Get, $"/mail/{emailToken}", HttpStatusCode.NotFound),
            (HttpMethod.Put, $"/mail/{emailToken}/unsubscribe", HttpStatusCode.MethodNotAllowed),
            (HttpMethod.Get, $"/mail/{MadeUp}/click/7", HttpStatusCode.NotFound),
            (HttpMethod.Get, $"/Mail/{MadeUp}/unsubscribe", HttpStatusCode.NotFound),
            (HttpMethod.Get, $"/mail/{MadeUp}/nowhere", HttpStatusCode.NotFound),
            (HttpMethod.Delete, $"/mail/{MadeUp}/open", HttpStatusCode.MethodNotAllowed),
        ];
        using var browser = host.NewClient();
        foreach (var (method, path, status) in requests)
        {
            using var response = await browser.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(status == response.StatusCode, $"{method} {path}: {response.StatusCode}");
        }
        // Tagflow's own pages under /optin/ have no secret, and keep their path.
        foreach (var page in new[] { "/optin/pending", "/optin/thanks" })
        {
            using var response = await browser.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // A request's line is written once its answer is out: wait for all of them.
        await EventuallyAsync(() => Task.FromResult(LinkLines(host).Count >= requests.Length + 2), "a log line for every request");
        var lines = LinkLines(host);
        Assert.Equal(requests.Length + 2, lines.Count);
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(confirmationToken, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(emailToken, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(MadeUp, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(8, lines.Count(l => l.Contains(" /optin/… ", StringComparison.Ordinal)));
        Assert.Equal(9, lines.Count(l => l.Contains(" /mail/… ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("GET /optin/pending 200", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GET /optin/thanks 200", StringComparison.Ordinal));
    }

    /// <summary>The request log's lines for paths under /optin/ and /mail/.</summary>
    private static List<string> LinkLines(TagflowHost host) => [.. host.Logs.Lines.Where(l => RequestUnderLinks().IsMatch(l))];

    [GeneratedRegex(@"Tagflow\.Requests [A-Z]+ /(optin|mail)/", RegexOptions.IgnoreCase)]
    private static partial Regex RequestUnderLinks();

    [GeneratedRegex("/mail/([^/]+)/unsubscribe")]
    private static partial Regex EmailToken();
}
