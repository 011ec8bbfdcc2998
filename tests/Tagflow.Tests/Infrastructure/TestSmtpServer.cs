using System.Buffers;
using System.Net;
using System.Threading.Channels;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Tagflow.Tests.Infrastructure;

/// <summary>
/// A real SMTP server in the test process (the SmtpServer library), listening on a free loopback
/// port: it receives what Tagflow sends over SMTP and hands each message over, parsed as MIME.
/// It can refuse every message, and can require a login.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly Channel<(MimeMessage Message, string? User)> _received = Channel.CreateUnbounded<(MimeMessage, string?)>();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _putOff = new(StringComparer.OrdinalIgnoreCase);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _envelopeSenders = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private TestSmtpServer(int port, bool refuse, (string User, string Password)? login)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.test")
            .Endpoint(e =>
            {
                e.Endpoint(new IPEndPoint(IPAddress.Loopback, port));
                if (login is not null) e.AuthenticationRequired().AllowUnsecureAuthentication();
            })
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this, refuse));
        if (login is { } l) services.Add(new Authenticator(l.User, l.Password));
        var server = new SmtpServer.SmtpServer(options, services);
        server.SessionCreated += (_, _) =>
        {
            var open = Interlocked.Increment(ref _sessions);
            lock (_arrivals) MostSessionsAtOnce = Math.Max(MostSessionsAtOnce, open);
        };
        server.SessionCompleted += (_, _) => Interlocked.Decrement(ref _sessions);
        server.SessionFaulted += (_, _) => Interlocked.Decrement(ref _sessions);
        server.SessionCancelled += (_, _) => Interlocked.Decrement(ref _sessions);
        _running = server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    private readonly List<long> _arrivals = [];
    private int _sessions;

    /// <summary>The most SMTP sessions that were open at one time.</summary>
    public int MostSessionsAtOnce { get; private set; }

    /// <summary>When each accepted message arrived, as <see cref="System.Diagnostics.Stopwatch"/> timestamps, in order.</summary>
    public IReadOnlyList<long> Arrivals
    {
        get
        {
            lock (_arrivals) return [.. _arrivals];
        }
    }

    /// <summary>The URL Tagflow's <c>--smtp</c> takes for this server.</summary>
    public string Url(string? user = null, string? password = null) =>
        user is null ? $"smtp://127.0.0.1:{Port}" : $"smtp://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password ?? "")}@127.0.0.1:{Port}";

    public static Task<TestSmtpServer> StartAsync(bool refuse = false, (string User, string Password)? login = null) =>
        Task.FromResult(new TestSmtpServer(FreePort.Next(), refuse, login));

    /// <summary>From now on, messages to <paramref name="address"/> are put off with a 451 (as greylisting or a full mailbox does), or no longer.</summary>
    public void PutOff(string address, bool putOff = true)
    {
        if (putOff) _putOff[address] = true;
        else _putOff.TryRemove(address, out _);
    }

    /// <summary>The envelope sender (MAIL FROM) a received message came with.</summary>
    public string EnvelopeSender(MimeMessage message) => _envelopeSenders[message.MessageId ?? ""];

    /// <summary>The next message received, waiting up to 10 s for it.</summary>
    public async Task<MimeMessage> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return (await _received.Reader.ReadAsync(timeout.Token)).Message;
    }

    /// <summary>The user the next message was sent as, with the message.</summary>
    public async Task<(MimeMessage Message, string? User)> ReceiveWithUserAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>True if no message has arrived (none is on its way: Tagflow answers only after the relay has accepted).</summary>
    public bool NothingReceived => !_received.Reader.TryPeek(out _);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store(TestSmtpServer server, bool refuse) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (refuse) return new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "Mailbox unavailable (the test server refuses every message)");
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            if (message.To.Mailboxes.Any(m => server._putOff.ContainsKey(m.Address)))
                return new SmtpResponse((SmtpReplyCode)451, "Mailbox busy, try again later (the test server puts this address off)");
            var user = context.Authentication.IsAuthenticated ? context.Authentication.User : null;
            lock (server._arrivals) server._arrivals.Add(System.Diagnostics.Stopwatch.GetTimestamp());
            if (message.MessageId is { } id) server._envelopeSenders[id] = transaction.From.AsAddress();
            await server._received.Writer.WriteAsync((message, user), cancellationToken);
            return SmtpResponse.Ok;
        }
    }

    private sealed class Authenticator(string user, string password) : UserAuthenticator
    {
        public override Task<bool> AuthenticateAsync(ISessionContext context, string user1, string password1, CancellationToken cancellationToken) =>
            Task.FromResult(user1 == user && password1 == password);
    }
}
