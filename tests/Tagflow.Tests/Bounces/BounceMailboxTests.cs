using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;
using Tagflow.Bounces;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Bounces.BounceMessages;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Bounces;

/// <summary>
/// Bounces read from a mailbox over IMAP (<c>--bounce-imap</c>), from a real Dovecot: a bounce and a
/// complaint put into the INBOX change their contacts and are deleted; other mail stays, marked seen;
/// the same bounce put there again counts once.
/// </summary>
public sealed class BounceMailboxTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task BouncesAndComplaintsInTheMailboxAreReadAndDeletedAndOtherMailIsLeftSeen(string provider)
    {
        await using var dovecot = await Dovecot.StartAsync();
        await using var scene = await BounceScene.StartAsync(provider, adjust: b => b with { Imap = ImapTarget.Parse(dovecot.Url), ImapPoll = TimeSpan.FromMilliseconds(200) },
            listen: false);
        var (relay, client) = (scene.Relay, scene.Client);
        var bert = await scene.SubscribeAsync("bert@example.com");
        var toBert = await relay.ReceiveAsync();
        var carl = await scene.SubscribeAsync("carl@example.com");
        var toCarl = await relay.ReceiveAsync();
        var dora = await scene.SubscribeAsync("dora@example.com");
        var toDora = await relay.ReceiveAsync();

        using var imap = new ImapClient();
        await imap.ConnectAsync("127.0.0.1", dovecot.Port, MailKit.Security.SecureSocketOptions.None);
        await imap.AuthenticateAsync(Dovecot.User, Dovecot.Password);
        var bounce = Load("gmail-hard.eml", toBert, relay.EnvelopeSender(toBert));
        await imap.Inbox.AppendAsync(bounce, MessageFlags.None);
        await imap.Inbox.AppendAsync(Load("arf-complaint.eml", toCarl, $"fbl@{Domain}", relay.EnvelopeSender(toCarl)), MessageFlags.None);
        await imap.Inbox.AppendAsync(Load("vacation.eml", toDora, relay.EnvelopeSender(toDora)), MessageFlags.None);

        await EventuallyAsync(async () => Text(await GetAsync(client, bert), "bounce") == "Hard Bounce", "Bert's bounce is read");
        await EventuallyAsync(async () => Text(await GetAsync(client, carl), "bounce") == "Spam Bounce", "Carl's complaint is read");
        Assert.Equal("Unsubscribed", Text(await GetAsync(client, carl), "status"));
        await EventuallyAsync(async () => await LeftAsync(imap) is [(_, true)], "the bounce and the complaint are deleted, the other message is seen");
        Assert.Equal("Out of office: Hi", (await LeftAsync(imap))[0].Subject);

        await imap.Inbox.AppendAsync(bounce, MessageFlags.None); // the same bounce again
        await EventuallyAsync(async () => (await LeftAsync(imap)).Count == 1, "the repeat is read and deleted");
        Assert.Single(await EventsAsync(client), e => e.Type == "contact.bounced" && e.ContactId == bert);
        Assert.Equal("Not Bounced", Text(await GetAsync(client, dora), "bounce"));
        await imap.DisconnectAsync(quit: true);
    }

    /// <summary>The messages left in the INBOX: subject, and whether marked seen.</summary>
    private static async Task<List<(string Subject, bool Seen)>> LeftAsync(ImapClient imap)
    {
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var left = new List<(string, bool)>();
        foreach (var summary in await imap.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Flags))
            left.Add((summary.Envelope?.Subject ?? "", summary.Flags!.Value.HasFlag(MessageFlags.Seen)));
        await imap.Inbox.CloseAsync();
        return left;
    }
}
