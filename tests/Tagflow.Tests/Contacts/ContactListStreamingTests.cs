using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>
/// GET /subscriber and POST /subscriber/tagged stream: an answer goes out while the server still reads
/// its rows, so a list of a million contacts costs neither the wait for all of them nor their memory.
/// </summary>
public sealed class ContactListStreamingTests
{
    /// <summary>
    /// About 390 KB of ids and 1.1 MB of the tagged map: several times what can be on its way while the
    /// client holds the answer (the socket buffers below, Kestrel's 64 KB and a flush of the answer's 16 KB).
    /// </summary>
    private const int Count = 50_000;

    /// <summary>
    /// The connection's socket buffers at both ends, so that the server cannot finish an answer the client
    /// holds. Left alone, Linux grows a loopback connection's send buffer to megabytes: room for all of an
    /// answer, and whether the server had finished when the client looked would be a race.
    /// </summary>
    private const int SocketBuffer = 4 * 1024;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheListsFirstBytesReachTheClientBeforeTheServerHasReadTheirLastRow(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var readers = new ReaderWatch(database);
        await using var host = await TagflowHost.StartOnAsync(database, new TestClock(), s => s,
            services => services.Configure<SocketTransportOptions>(o => o.CreateBoundListenSocket = SmallSendBuffer));
        var anna = await host.AddPartnerAsync("anna");
        using var client = anna.ClientFor(host, new SocketsHttpHandler { ConnectCallback = SmallReceiveBufferAsync });
        var tag = await CreateTagAsync(client, "Kunde");
        await DatabaseSetup.AddSubscribedContactsAsync(host, "anna", Count, tag);

        var ids = await ReadHoldingAsync(readers, client, HttpMethod.Get, "/subscriber");
        var tagged = await ReadHoldingAsync(readers, client, HttpMethod.Post, "/subscriber/tagged", JsonContent.Create(new { tagid = tag }));

        Assert.Equal(Count, ids.GetArrayLength());
        Assert.Equal(ids.EnumerateArray().Select(id => id.GetString()), tagged.EnumerateObject().Select(e => e.Name));
    }

    /// <summary>
    /// Reads the first bytes of the answer and, holding the rest, checks that no query has read all the
    /// contacts yet: had the server read them before sending, that reader would be done. Then reads the
    /// rest, and checks that the reader of all the contacts is done now, which shows the watch sees it.
    /// </summary>
    private static async Task<JsonElement> ReadHoldingAsync(ReaderWatch readers, HttpClient client, HttpMethod method, string path, HttpContent? content = null)
    {
        var done = readers.ReadersOfAtLeast(Count);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var answer = new MemoryStream();
        var first = new byte[1024];
        answer.Write(first, 0, await body.ReadAtLeastAsync(first, first.Length));

        Assert.Equal(done, readers.ReadersOfAtLeast(Count));
        await body.CopyToAsync(answer);
        Assert.Equal(done + 1, readers.ReadersOfAtLeast(Count));
        return JsonSerializer.Deserialize<JsonElement>(answer.ToArray());
    }

    /// <summary>Kestrel's listening socket; the connections it accepts inherit its send buffer.</summary>
    private static Socket SmallSendBuffer(EndPoint endpoint)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        socket.SendBufferSize = SocketBuffer;
        return socket;
    }

    private static async ValueTask<Stream> SmallReceiveBufferAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = SocketBuffer };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
