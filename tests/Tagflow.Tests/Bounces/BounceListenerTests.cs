using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MailKit.Net.Smtp;
using MimeKit;
using Tagflow.App;
using Tagflow.Data;
using Tagflow.Tests.Automations;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Bounces.BounceMessages;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Bounces;

/// <summary>
/// Bounces and complaints sent to Tagflow's own SMTP listener for the bounce domain, for emails a
/// campaign sent through a real relay: what each does to its contact (bounce status, SmartTag, event,
/// webhook, unsubscription), the next campaign email passed over, repeats, the soft-bounce limit, a
/// new address, and forged tokens.
/// </summary>
public sealed class BounceListenerTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AHardBounceMarksTheContactTagsItCallsTheWebhookAndItsNextCampaignEmailIsSkipped(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var scene = await BounceScene.StartAsync(provider,
            [new { type = "email", subject = "One", text = "1" }, new { type = "wait", seconds = 3600 }, new { type = "email", subject = "Two", text = "2" }]);
        var (relay, host, client) = (scene.Relay, scene.Host, scene.Client);

        var bert = await scene.SubscribeAsync("bert@example.com");
        var first = await relay.ReceiveAsync();
        Assert.Matches($@"^bounce\+[0-9]+-{bert}-[a-z2-7]{{8}}-[a-z2-7]{{16}}@bounces\.test$", relay.EnvelopeSender(first));
        Assert.Equal("Not Bounced", Text(await GetAsync(client, bert), "bounce"));

        await scene.BounceAsync("rfc3464-postfix-hard.eml", first);
        Assert.Equal("Hard Bounce", Text(await GetAsync(client, bert), "bounce"));
        var smartTags = await SmartTagsAsync(client, bert);
        Assert.Contains("Bounce: hard", smartTags.Keys);
        await scene.BounceAsync("rfc3464-postfix-hard.eml", first); // the same report again counts once
        Assert.Equal([new ContactEventView("contact.bounced", bert, "", "hard")], (await EventsAsync(client)).Where(e => e.Type == "contact.bounced"));
        Assert.DoesNotContain(bert, await ListAsync(client)); // the list's default leaves hard bounces out
        Assert.Equal([bert], await ListAsync(client, "?bounceStatus=hardbounce"));

        // A webhook on the SmartTag is called for the next contact that bounces.
        await CreateWebhookAsync(client, new { name = "Bounced", tagid = long.Parse(smartTags["Bounce: hard"], System.Globalization.CultureInfo.InvariantCulture), url = receiver.Url("/bounced") });
        var carl = await scene.SubscribeAsync("carl@example.com");
        await scene.BounceAsync("gmail-hard.eml", await relay.ReceiveAsync());
        var call = await receiver.ReceiveAsync();
        Assert.Equal("/bounced", call.PathAndQuery);
        Assert.Contains("carl@example.com", call.Body, StringComparison.Ordinal);
        Assert.Equal("Hard Bounce", Text(await GetAsync(client, carl), "bounce"));

        // The second email: Dora gets it, the bounced addresses are passed over, and the feed says so.
        await scene.SubscribeAsync("dora@example.com");
        Assert.Equal("dora@example.com", (await relay.ReceiveAsync()).To.Mailboxes.Single().Address);
        host.Clock.Advance(TimeSpan.FromHours(2));
        var second = await relay.ReceiveAsync();
        Assert.Equal(("dora@example.com", "Two"), (second.To.Mailboxes.Single().Address, second.Subject));
        await EventuallyAsync(async () => (await EventsAsync(client)).Count(e => e.Type == "email.skipped") == 2, "both skips are in the feed");
        var skipped = (await EventsAsync(client)).Where(e => e.Type == "email.skipped").ToList();
        Assert.Equal([bert, carl], skipped.Select(e => e.ContactId).Order());
        Assert.All(skipped, e => Assert.Contains("bounce:hard", e.Fields, StringComparison.Ordinal));
        await Task.Delay(300);
        Assert.True(relay.NothingReceived);
    }

    /// <summary>Each fixture, sent back to the bounce address of its own contact's email (or to another address at the domain), and what it makes of the contact.</summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EachShapeOfBounceAndComplaintIsUnderstood(string provider)
    {
        (string Fixture, string? To, string Bounce, string Status)[] cases =
        [
            ("rfc3464-postfix-hard.eml", null, "Hard Bounce", "Subscribed"),
            ("gmail-hard.eml", null, "Hard Bounce", "Subscribed"),
            ("outlook-hard.eml", null, "Hard Bounce", "Subscribed"),
            ("yahoo-plain-quoted.eml", null, "Hard Bounce", "Subscribed"),
            // Sent to the domain's postmaster: the token is found in the headers of the email it carries.
            ("exim-plain-attached.eml", $"postmaster@{Domain}", "Hard Bounce", "Subscribed"),
            ("mailbox-full.eml", null, "Soft Bounce", "Subscribed"),
            ("expired-soft.eml", null, "Soft Bounce", "Subscribed"),
            ("delayed.eml", null, "Not Bounced", "Subscribed"),
            ("vacation.eml", null, "Not Bounced", "Subscribed"),
            // A feedback loop reports to an address of its own; the copy of the email names the token.
            ("arf-complaint.eml", $"fbl@{Domain}", "Spam Bounce", "Unsubscribed"),
        ];
        await using var scene = await BounceScene.StartAsync(provider);
        var (relay, client) = (scene.Relay, scene.Client);
        var contacts = new List<string>();
        foreach (var (_, i) in cases.Select((c, i) => (c, i)))
        {
            contacts.Add(await scene.SubscribeAsync($"person{i}@example.com"));
            var email = await relay.ReceiveAsync();
            Assert.Equal($"person{i}@example.com", email.To.Mailboxes.Single().Address);
            await scene.BounceAsync(cases[i].Fixture, email, cases[i].To);
        }
        var seen = new List<(string, string, string)>();
        foreach (var (id, c) in contacts.Zip(cases))
        {
            var contact = await GetAsync(client, id);
            seen.Add((c.Fixture, Text(contact, "bounce"), Text(contact, "status")));
        }
        Assert.Equal(cases.Select(c => (c.Fixture, c.Bounce, c.Status)), seen);
        var tags = await SmartTagsAsync(client, contacts[^1]);
        Assert.Contains("Spam complaint", tags.Keys);
        Assert.Contains("Bounce: soft", (await SmartTagsAsync(client, contacts[5])).Keys);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SoftBouncesBecomeAHardBounceOnlyWhenEnoughComeWithinTheDays(string provider)
    {
        var email = new { type = "email", subject = "News", text = "News" };
        await using var scene = await BounceScene.StartAsync(provider, [email, email, email], b => b with { SoftLimit = 2, SoftDays = 30 });
        var (relay, host, client) = (scene.Relay, scene.Host, scene.Client);
        var bert = await scene.SubscribeAsync("bert@example.com");
        var sent = new[] { await relay.ReceiveAsync(), await relay.ReceiveAsync(), await relay.ReceiveAsync() };

        await scene.BounceAsync("mailbox-full.eml", sent[0]);
        await scene.BounceAsync("mailbox-full.eml", sent[0]); // a repeat is not a second soft bounce
        Assert.Equal("Soft Bounce", Text(await GetAsync(client, bert), "bounce"));
        host.Clock.Advance(TimeSpan.FromDays(31)); // the first one no longer counts
        await scene.BounceAsync("expired-soft.eml", sent[1]);
        Assert.Equal("Soft Bounce", Text(await GetAsync(client, bert), "bounce"));
        await scene.BounceAsync("mailbox-full.eml", sent[2]);
        Assert.Equal("Hard Bounce", Text(await GetAsync(client, bert), "bounce"));
        Assert.Equal(["hard", "soft", "soft", "soft"],
            (await EventsAsync(client)).Where(e => e.Type == "contact.bounced").Select(e => e.Fields).Order(StringComparer.Ordinal));
        Assert.Contains("Bounce: hard", (await SmartTagsAsync(client, bert)).Keys);

        // The bounces are part of what is stored about Bert: in his export, and erased with him.
        var accountId = await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().Accounts.Where(a => a.Username == "anna").Select(a => a.Id).SingleAsync());
        var export = await host.WithServicesAsync(sp => ContactExportFile.BuildAsync(sp.GetRequiredService<TagflowDb>(), accountId,
            long.Parse(bert, CultureInfo.InvariantCulture), CancellationToken.None));
        var bounces = JsonSerializer.SerializeToElement(export!["bounces"]);
        Assert.Equal(["soft", "soft", "soft"], bounces.EnumerateArray().Select(b => b.GetProperty("kind").GetString()));
        Assert.Equal("5.2.2", bounces[0].GetProperty("status").GetString());
        await WireAssert.OkAsync(await client.DeleteAsync($"/subscriber/{bert}"));
        Assert.Equal(0, await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().Bounces.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANewAddressLeavesTheBounceStateBehindAndBouncesOfTheOldOneNoLongerCount(string provider)
    {
        await using var scene = await BounceScene.StartAsync(provider);
        var (relay, client) = (scene.Relay, scene.Client);
        var bert = await scene.SubscribeAsync("bert@example.com");
        var email = await relay.ReceiveAsync();
        await scene.BounceAsync("mailbox-full.eml", email);
        Assert.Equal("Soft Bounce", Text(await GetAsync(client, bert), "bounce"));

        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{bert}", new { newemail = "bert@example.net" }));
        Assert.Equal(("bert@example.net", "Not Bounced"), (Text(await GetAsync(client, bert), "email"), Text(await GetAsync(client, bert), "bounce")));
        // Reports about the email to the old address change nothing now.
        await scene.BounceAsync("outlook-hard.eml", email);
        await scene.BounceAsync("arf-complaint.eml", email, $"fbl@{Domain}");
        var after = await GetAsync(client, bert);
        Assert.Equal(("Not Bounced", "Subscribed"), (Text(after, "bounce"), Text(after, "status")));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AForgedTokenChangesNothingAndOtherDomainsAreRefusedAtRcpt(string provider)
    {
        await using var scene = await BounceScene.StartAsync(provider);
        var (relay, anna, listen) = (scene.Relay, scene.Client, scene.Listen);
        using var otto = await scene.Host.NewAccountClientAsync("otto");
        var bert = await scene.SubscribeAsync("bert@example.com");
        var carl = await SubscribeAsync(anna, "carl@example.com", await SingleOptInListAsync(anna, "Other"), null);
        var olga = await SubscribeAsync(otto, "olga@example.com", await SingleOptInListAsync(otto));
        var email = await relay.ReceiveAsync();
        var parts = relay.EnvelopeSender(email)["bounce+".Length..].Split('@')[0].Split('-');
        string Address(string account, string contact, string mac) => $"bounce+{account}-{contact}-{parts[2]}-{mac}@{Domain}";
        var flipped = (parts[3][0] == 'a' ? "b" : "a") + parts[3][1..];
        string[] forged =
        [
            Address(parts[0], carl, parts[3]), // Bert's signature on Carl
            Address(parts[0], parts[1], flipped), // a signature changed
            Address("2", olga, parts[3]), // another account's contact
            Address(parts[0], "0", parts[3]), // no contact: found by the address only if signed for it
        ];
        foreach (var address in forged)
        {
            // The copy of the email must not help either: its header is made to match the forged token.
            var copy = await MimeMessage.LoadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(email.ToString())));
            copy.Headers.Replace(Tagflow.Delivery.MailMessages.BounceHeader, address["bounce+".Length..].Split('@')[0]);
            await SendAsync(listen, Load("rfc3464-postfix-hard.eml", copy, address), address);
        }
        Assert.Equal(["Not Bounced", "Not Bounced"], [Text(await GetAsync(anna, bert), "bounce"), Text(await GetAsync(anna, carl), "bounce")]);
        Assert.Equal("Not Bounced", Text(await GetAsync(otto, olga), "bounce"));
        Assert.DoesNotContain(await EventsAsync(anna), e => e.Type == "contact.bounced");

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            SendAsync(listen, Load("rfc3464-postfix-hard.eml", email, "someone@example.com"), "someone@example.com"));
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, refused.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AConfirmationEmailThatBouncesMarksItsContactWhichGetsNoMoreConfirmationEmails(string provider)
    {
        await using var scene = await BounceScene.StartAsync(provider);
        var (relay, host, client) = (scene.Relay, scene.Host, scene.Client);
        // The predefined double opt-in: through the relay, its email goes out before the contact is stored.
        var bert = Text(await AddAsync(client, new { email = "bert@example.com" }), "id");
        var confirmation = await relay.ReceiveAsync();
        Assert.Matches(@"^bounce\+[0-9]+-0-", relay.EnvelopeSender(confirmation));

        await scene.BounceAsync("outlook-hard.eml", confirmation);
        Assert.Equal(("Hard Bounce", "Opt-In Pending"), (Text(await GetAsync(client, bert), "bounce"), Text(await GetAsync(client, bert), "status")));
        host.Clock.Advance(TimeSpan.FromMinutes(11));
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/resend", new { email = "bert@example.com" }), 6);
        await Task.Delay(300);
        Assert.True(relay.NothingReceived);
    }
}
