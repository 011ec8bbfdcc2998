using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Delivery;

/// <summary>Mail goes to a real SMTP server over SMTP, or, with none configured, into .eml files; a refusal is an error, never a silent loss.</summary>
public sealed class MailRelayTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);

    private static MimeMessage Message(string html = "<p>Bitte <a href=\"https://example.com/c\">bestätigen</a></p>") =>
        MailMessages.Create("Jürgen Müller", "news@shop.example", "anna@example.com", "Bitte bestätigen Sie Ihre Anmeldung ✓",
            "Bitte bestätigen: https://example.com/c", html, Now);

    [Fact]
    public async Task AMessageArrivesOverSmtpAsProperMime()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        var relay = new SmtpRelay(SmtpTarget.Parse(smtp.Url())!, TimeSpan.FromSeconds(10), NullLogger<SmtpRelay>.Instance);

        await relay.SendAsync(Message(), CancellationToken.None);

        var received = await smtp.ReceiveAsync();
        var from = Assert.IsType<MailboxAddress>(Assert.Single(received.From));
        Assert.Equal(("Jürgen Müller", "news@shop.example"), (from.Name, from.Address));
        Assert.Equal("anna@example.com", Assert.IsType<MailboxAddress>(Assert.Single(received.To)).Address);
        Assert.Equal("Bitte bestätigen Sie Ihre Anmeldung ✓", received.Subject);
        Assert.Equal(Now, received.Date);
        Assert.EndsWith("@shop.example", received.MessageId, StringComparison.Ordinal);
        Assert.Equal("Bitte bestätigen: https://example.com/c", received.TextBody!.Trim());
        Assert.Contains("bestätigen</a>", received.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("multipart/alternative", received.Body!.ContentType.MimeType);
        // Non-ASCII headers travel encoded (RFC 2047), not as raw 8-bit bytes.
        Assert.Contains("=?utf-8?", RawHeader(received, HeaderId.Subject), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("=?utf-8?", RawHeader(received, HeaderId.From), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WithoutHtmlTheMessageIsTextOnly()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        var relay = new SmtpRelay(SmtpTarget.Parse(smtp.Url())!, TimeSpan.FromSeconds(10), NullLogger<SmtpRelay>.Instance);

        await relay.SendAsync(Message(html: ""), CancellationToken.None);

        var received = await smtp.ReceiveAsync();
        Assert.Equal("text/plain", received.Body!.ContentType.MimeType);
        Assert.Null(received.HtmlBody);
    }

    [Fact]
    public async Task TheRelayLogsInWithTheUserAndPasswordOfTheUrl()
    {
        await using var smtp = await TestSmtpServer.StartAsync(login: ("mailer", "p@ss:wörd"));
        var relay = new SmtpRelay(SmtpTarget.Parse(smtp.Url("mailer", "p@ss:wörd"))!, TimeSpan.FromSeconds(10), NullLogger<SmtpRelay>.Instance);

        await relay.SendAsync(Message(), CancellationToken.None);

        Assert.Equal("mailer", (await smtp.ReceiveWithUserAsync()).User);
        var wrong = new SmtpRelay(SmtpTarget.Parse(smtp.Url("mailer", "wrong"))!, TimeSpan.FromSeconds(10), NullLogger<SmtpRelay>.Instance);
        await Assert.ThrowsAsync<MailNotSentException>(() => wrong.SendAsync(Message(), CancellationToken.None));
        Assert.True(smtp.NothingReceived);
    }

    [Fact]
    public async Task ARefusedMessageIsNotSent()
    {
        await using var smtp = await TestSmtpServer.StartAsync(refuse: true);
        var relay = new SmtpRelay(SmtpTarget.Parse(smtp.Url())!, TimeSpan.FromSeconds(10), NullLogger<SmtpRelay>.Instance);

        var e = await Assert.ThrowsAsync<MailNotSentException>(() => relay.SendAsync(Message(), CancellationToken.None));

        Assert.Contains("Mailbox unavailable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARelayThatCannotBeReachedFailsWithinItsTimeout()
    {
        int port;
        await using (var smtp = await TestSmtpServer.StartAsync()) port = smtp.Port; // a port nobody listens on now
        var refused = new SmtpRelay(new SmtpTarget("127.0.0.1", port, false, null, null), TimeSpan.FromSeconds(3), NullLogger<SmtpRelay>.Instance);
        await Assert.ThrowsAsync<MailNotSentException>(() => refused.SendAsync(Message(), CancellationToken.None));

        // A server that accepts the connection but never greets: the deadline ends the wait.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var silentPort = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var mute = new SmtpRelay(new SmtpTarget("127.0.0.1", silentPort, false, null, null), TimeSpan.FromSeconds(2), NullLogger<SmtpRelay>.Instance);
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<MailNotSentException>(() => mute.SendAsync(Message(), CancellationToken.None));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task WithoutARelayEachMessageIsACompleteEmlFileInTheOutbox()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tagflow-tests", Guid.NewGuid().ToString("N"), "outbox");
        var relay = new OutboxRelay(directory);
        try
        {
            await relay.SendAsync(Message(), CancellationToken.None);
            await relay.SendAsync(Message(html: ""), CancellationToken.None);

            var files = Directory.GetFiles(directory, "*.eml").Order(StringComparer.Ordinal).ToList();
            Assert.Equal(2, files.Count);
            Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
            var first = await MimeMessage.LoadAsync(files.Single(f => MimeMessage.Load(f).HtmlBody is not null));
            Assert.Equal("Bitte bestätigen Sie Ihre Anmeldung ✓", first.Subject);
            Assert.Equal("anna@example.com", first.To.Mailboxes.Single().Address);
            Assert.Contains(directory, relay.Description, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("smtp://mail.example.com", "mail.example.com", 25, false, null, null)]
    [InlineData("smtp://user:secret@mail.example.com:587", "mail.example.com", 587, false, "user", "secret")]
    [InlineData("smtps://me%40example.com:p%40ss%3Aw@mail.example.com", "mail.example.com", 465, true, "me@example.com", "p@ss:w")]
    [InlineData("smtps://mail.example.com:2465", "mail.example.com", 2465, true, null, null)]
    public void AnSmtpUrlNamesHostPortTlsAndLogin(string url, string host, int port, bool tls, string? user, string? password) =>
        Assert.Equal(new SmtpTarget(host, port, tls, user, password), SmtpTarget.Parse(url));

    [Theory]
    [InlineData("")]
    [InlineData("mail.example.com")]
    [InlineData("http://mail.example.com")]
    [InlineData("smtp://")]
    [InlineData("smtp://mail.example.com/path")]
    [InlineData("smtp://mail.example.com?x=1")]
    public void AnythingElseIsNoSmtpUrl(string url) => Assert.Null(SmtpTarget.Parse(url));

    [Fact]
    public void TheRelaysDescriptionNeverShowsThePassword() =>
        Assert.DoesNotContain("secret", SmtpTarget.Parse("smtp://user:secret@mail.example.com:587")!.ToString(), StringComparison.Ordinal);

    /// <summary>A header as it travelled (a parsed message keeps its raw header bytes).</summary>
    private static string RawHeader(MimeMessage message, HeaderId id) =>
        System.Text.Encoding.ASCII.GetString(message.Headers.First(h => h.Id == id).RawValue);
}
