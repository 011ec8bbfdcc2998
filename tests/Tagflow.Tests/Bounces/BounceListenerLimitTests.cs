using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Bounces.BounceMessages;

namespace Tagflow.Tests.Bounces;

/// <summary>
/// The bounce listener as a server on the internet: STARTTLS with the operator's certificate, and its
/// limits (message size, sessions at once, a session's length), each seen over a real connection.
/// </summary>
public sealed class BounceListenerLimitTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WithACertificateTheListenerOffersStartTlsAndABounceSentOverItCounts(string provider)
    {
        var folder = Directory.CreateTempSubdirectory("tagflow-tls-").FullName;
        try
        {
            using var certificate = SelfSigned(Path.Combine(folder, "bounces.pem"));
            await using var scene = await BounceScene.StartAsync(provider, adjust: b => b with { SmtpCertificate = Path.Combine(folder, "bounces.pem") });
            var bert = await scene.SubscribeAsync("bert@example.com");
            var email = await scene.Relay.ReceiveAsync();
            var envelope = scene.Relay.EnvelopeSender(email);

            using var client = new SmtpClient();
            // Trusted as this very certificate, as a sender that pins it would: anything else fails the handshake.
            client.ServerCertificateValidationCallback = (_, seen, _, _) => seen is not null && seen.GetCertHashString() == certificate.GetCertHashString();
            await ConnectAsync(client, scene.Listen, SecureSocketOptions.StartTls);
            Assert.True(client.IsEncrypted);
            await client.SendAsync(Load("rfc3464-postfix-hard.eml", email, envelope), new MimeKit.MailboxAddress("", "mailer-daemon@mx.example.org"),
                [MimeKit.MailboxAddress.Parse(envelope)]);
            await client.DisconnectAsync(quit: true);

            Assert.Equal("Hard Bounce", await scene.BounceOfAsync(bert));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AMessageLargerThanTheLimitIsRefusedWith552AndChangesNothing(string provider)
    {
        await using var scene = await BounceScene.StartAsync(provider, adjust: b => b with { SmtpMaxBytes = 64 * 1024 });
        var bert = await scene.SubscribeAsync("bert@example.com");
        var email = await scene.Relay.ReceiveAsync();
        var envelope = scene.Relay.EnvelopeSender(email);
        var bounce = Load("rfc3464-postfix-hard.eml", email, envelope).ToString();
        var padded = string.Concat(Enumerable.Repeat("X-Padding: " + new string('x', 64) + "\r\n", 2_000)) + bounce;

        // Declared too large: refused at MAIL.
        using (var declared = await RawSmtp.ConnectAsync(scene.Listen))
        {
            Assert.StartsWith("250", await declared.SendAsync("EHLO mx.example.org"), StringComparison.Ordinal);
            Assert.StartsWith("552", await declared.SendAsync($"MAIL FROM:<> SIZE={padded.Length}"), StringComparison.Ordinal);
        }
        // Not declared: refused once too much has come, and the connection closed.
        using (var undeclared = await RawSmtp.ConnectAsync(scene.Listen))
        {
            await undeclared.SendAsync("EHLO mx.example.org");
            Assert.StartsWith("250", await undeclared.SendAsync("MAIL FROM:<>"), StringComparison.Ordinal);
            Assert.StartsWith("250", await undeclared.SendAsync($"RCPT TO:<{envelope}>"), StringComparison.Ordinal);
            Assert.StartsWith("354", await undeclared.SendAsync("DATA"), StringComparison.Ordinal);
            Assert.StartsWith("552", await undeclared.SendAsync(padded.Replace("\r\n.", "\r\n..", StringComparison.Ordinal) + "\r\n."), StringComparison.Ordinal);
            Assert.Null(await undeclared.ReadLineAsync());
        }
        Assert.Equal("Not Bounced", await scene.BounceOfAsync(bert));

        // The same report without the padding is taken.
        await SendAsync(scene.Listen, Load("rfc3464-postfix-hard.eml", email, envelope), envelope);
        Assert.Equal("Hard Bounce", await scene.BounceOfAsync(bert));
    }

    [Fact]
    public async Task AConnectionBeyondTheSessionLimitIsToldToComeBackAndASessionEndsAtItsTimeout()
    {
        await using var scene = await BounceScene.StartAsync(Providers.Sqlite,
            adjust: b => b with { SmtpMaxSessions = 2, SmtpSessionTimeout = TimeSpan.FromSeconds(3) });

        var first = await RawSmtp.ConnectAsync(scene.Listen);
        using var second = await RawSmtp.ConnectAsync(scene.Listen);
        var secondSince = DateTime.UtcNow;
        Assert.StartsWith("220", first.Greeting, StringComparison.Ordinal);
        Assert.StartsWith("220", second.Greeting, StringComparison.Ordinal);
        using (var third = await RawSmtp.ConnectAsync(scene.Listen))
        {
            Assert.StartsWith("421", third.Greeting, StringComparison.Ordinal);
            Assert.Null(await third.ReadLineAsync());
        }
        // A session that ends gives its place back.
        Assert.StartsWith("221", await first.SendAsync("QUIT"), StringComparison.Ordinal);
        first.Dispose();
        await EventuallyAsync(async () =>
        {
            using var next = await RawSmtp.ConnectAsync(scene.Listen);
            return next.Greeting.StartsWith("220", StringComparison.Ordinal);
        }, "the listener takes a new session once one ended");

        // The second session, kept busy, is closed at its timeout.
        while (await second.TrySendAsync("NOOP") is not null && DateTime.UtcNow - secondSince < TimeSpan.FromSeconds(20)) await Task.Delay(200);
        Assert.InRange(DateTime.UtcNow - secondSince, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(10));
    }

    /// <summary>A self-signed certificate for the bounce domain, written with its private key as one PEM file.</summary>
    private static X509Certificate2 SelfSigned(string path)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={Domain}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(Domain);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        return certificate;
    }

    /// <summary>Connects as soon as the listener (started a moment after the server) takes connections.</summary>
    private static async Task ConnectAsync(SmtpClient client, int port, SecureSocketOptions security)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.ConnectAsync("127.0.0.1", port, security);
                return;
            }
            catch (SocketException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>SMTP by hand, for what a client library does not let a test do: declare a size, send past the limit, hold a session open.</summary>
    private sealed class RawSmtp : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly StreamReader _reader;
        private readonly Stream _stream;

        private RawSmtp(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
            _reader = new StreamReader(_stream, Encoding.ASCII);
        }

        public string Greeting { get; private set; } = "";

        public static async Task<RawSmtp> ConnectAsync(int port)
        {
            for (var attempt = 0; ; attempt++)
            {
                var tcp = new TcpClient();
                try
                {
                    await tcp.ConnectAsync(IPAddress.Loopback, port);
                    var smtp = new RawSmtp(tcp);
                    smtp.Greeting = await smtp.ReplyAsync() ?? "";
                    return smtp;
                }
                catch (SocketException) when (attempt < 50)
                {
                    tcp.Dispose();
                    await Task.Delay(100);
                }
            }
        }

        /// <summary>Sends a line and answers the reply (its last line); throws if the connection is gone.</summary>
        public async Task<string> SendAsync(string line) => await TrySendAsync(line) ?? throw new IOException("The listener closed the connection.");

        /// <summary>Sends a line and answers the reply, or null once the listener closed the connection.</summary>
        public async Task<string?> TrySendAsync(string line)
        {
            try
            {
                await _stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
                return await ReplyAsync();
            }
            catch (IOException)
            {
                return null;
            }
        }

        public async Task<string?> ReadLineAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                return await _reader.ReadLineAsync(timeout.Token);
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>A reply's last line (<c>250 …</c> after the <c>250-…</c> lines).</summary>
        private async Task<string?> ReplyAsync()
        {
            while (true)
            {
                var line = await ReadLineAsync();
                if (line is null || line.Length < 4 || line[3] != '-') return line;
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            _tcp.Dispose();
        }
    }
}
