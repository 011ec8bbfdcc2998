using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.IO;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Tagflow.Bench;

/// <summary>
/// The SMTP server the campaign's emails go to, in the benchmark's process (the SmtpServer library,
/// as the tests use), on a free loopback port. It accepts every message at once and only notes,
/// per recipient, when the first copy arrived and how many came: it neither parses nor keeps them,
/// so that it costs the shared cores as little as it can. Its connections send without Nagle's
/// delay: the library writes each reply on its own, and a client that pipelines commands would
/// otherwise wait for the delayed ACK (40 ms on Linux) on every message, which capped a client at
/// about 11 messages a second. The crash suite, which must tell a repeat from a second email, may
/// look at each message as it is taken (<see cref="Start"/>'s observer).
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, long> _firstArrival = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly Action<string, ReadOnlySequence<byte>>? _observe;
    private int _messages;
    private long _bytes;

    private SmtpSink(int port, Action<string, ReadOnlySequence<byte>>? observe)
    {
        _observe = observe;
        Url = string.Create(CultureInfo.InvariantCulture, $"smtp://127.0.0.1:{port}");
        var options = new SmtpServerOptionsBuilder()
            .ServerName("sink.bench.example")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        services.Add(new NoDelayListeners());
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    /// <summary>What <c>tagflow serve --smtp</c> takes.</summary>
    public string Url { get; }

    /// <summary>Messages accepted, repeats included.</summary>
    public int Messages => Volatile.Read(ref _messages);

    /// <summary>The messages' size, in bytes as sent.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Recipients that got at least one message.</summary>
    public int Recipients => _firstArrival.Count;

    /// <summary>Starts the sink; <paramref name="observe"/>, if given, sees each recipient with the message as sent.</summary>
    public static SmtpSink Start(Action<string, ReadOnlySequence<byte>>? observe = null)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new SmtpSink(port, observe);
    }

    /// <summary>When (<see cref="Stopwatch"/> ticks) the first message to <paramref name="address"/> arrived; null if none did.</summary>
    public long? FirstArrival(string address) => _firstArrival.TryGetValue(address, out var at) ? at : null;

    /// <summary>When (<see cref="Stopwatch"/> ticks) each recipient's first message arrived.</summary>
    public IReadOnlyList<long> FirstArrivals() => [.. _firstArrival.Values];

    private void Accept(IMessageTransaction transaction, ReadOnlySequence<byte> message)
    {
        var at = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _bytes, message.Length);
        foreach (var to in transaction.To)
        {
            Interlocked.Increment(ref _messages);
            _firstArrival.TryAdd(to.AsAddress(), at);
            _observe?.Invoke(to.AsAddress(), message);
        }
    }

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

    /// <summary>As the library's own listener, but with <see cref="Socket.NoDelay"/> on every connection.</summary>
    private sealed class NoDelayListeners : IEndpointListenerFactory
    {
        public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
        {
            var listener = new TcpListener(endpointDefinition.Endpoint);
            listener.Start();
            return new Listener(listener);
        }
    }

    private sealed class Listener(TcpListener listener) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            client.NoDelay = true;
            context.Properties[EndpointListener.LocalEndPointKey] = client.Client.LocalEndPoint!;
            context.Properties[EndpointListener.RemoteEndPointKey] = client.Client.RemoteEndPoint!;
            return new Pipe(client);
        }

        public void Dispose() => listener.Stop();
    }

    /// <summary>A connection's two directions; the library's own is internal. The sink offers no STARTTLS, so it is never upgraded.</summary>
    private sealed class Pipe(TcpClient client) : ISecurableDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(client.GetStream());
        public PipeWriter Output { get; } = PipeWriter.Create(client.GetStream());
        public bool IsSecure => false;
        public SslProtocols SslProtocol => SslProtocols.None;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The sink offers no STARTTLS.");

        public void Dispose() => client.Dispose();
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            sink.Accept(transaction, buffer);
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
