using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Tagflow.Tests.Infrastructure;

/// <summary>
/// A connection that writes requests byte for byte, as old clients (KlickTipp's PHP connector among
/// them) write HTTP/1.0 over a socket, and reads the answers as they come.
/// </summary>
public sealed class RawHttp : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _unread = [];

    private RawHttp(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawHttp> ConnectAsync(Uri server)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.Host, server.Port);
        return new RawHttp(tcp);
    }

    /// <summary>Writes text as it is (ASCII request heads, UTF-8 bodies).</summary>
    public async Task WriteAsync(string text)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await _stream.FlushAsync();
    }

    /// <summary>Reads one answer: by its Content-Length if it has one, else to the connection's end.</summary>
    public async Task<RawAnswer> ReadAnswerAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        int headEnd;
        while ((headEnd = IndexOf(_unread, "\r\n\r\n"u8)) < 0)
        {
            if (!await FillAsync(timeout.Token)) throw new IOException("The connection ended inside an answer's head.");
        }
        var head = Encoding.ASCII.GetString([.. _unread.Take(headEnd)]);
        _unread.RemoveRange(0, headEnd + 4);
        var lines = head.Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToLookup(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        byte[] body;
        if (headers["Content-Length"].FirstOrDefault() is { } lengthText)
        {
            body = await TakeAsync(int.Parse(lengthText, CultureInfo.InvariantCulture), timeout.Token);
        }
        else if (headers["Transfer-Encoding"].Contains("chunked", StringComparer.OrdinalIgnoreCase))
        {
            var chunks = new List<byte>();
            while (true)
            {
                var size = Convert.ToInt32(Encoding.ASCII.GetString(await TakeLineAsync(timeout.Token)), 16);
                chunks.AddRange(await TakeAsync(size, timeout.Token));
                await TakeLineAsync(timeout.Token);
                if (size == 0) break;
            }
            body = [.. chunks];
        }
        else
        {
            while (await FillAsync(timeout.Token)) { }
            body = [.. _unread];
            _unread.Clear();
        }
        return new RawAnswer(lines[0], status, headers, body);
    }

    private async Task<byte[]> TakeAsync(int length, CancellationToken cancellationToken)
    {
        while (_unread.Count < length)
        {
            if (!await FillAsync(cancellationToken)) throw new IOException("The connection ended inside an answer's body.");
        }
        byte[] taken = [.. _unread.Take(length)];
        _unread.RemoveRange(0, length);
        return taken;
    }

    private async Task<byte[]> TakeLineAsync(CancellationToken cancellationToken)
    {
        int end;
        while ((end = IndexOf(_unread, "\r\n"u8)) < 0)
        {
            if (!await FillAsync(cancellationToken)) throw new IOException("The connection ended inside a chunk's size.");
        }
        var line = await TakeAsync(end, cancellationToken);
        _unread.RemoveRange(0, 2);
        return line;
    }

    /// <summary>Whether the server ends the connection (rather than keeping it open for another request).</summary>
    public async Task<bool> EndsAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            return !await FillAsync(timeout.Token) && _unread.Count == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var read = await _stream.ReadAsync(buffer, cancellationToken);
        _unread.AddRange(buffer.AsSpan(0, read));
        return read > 0;
    }

    private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> part)
    {
        for (var i = 0; i + part.Length <= bytes.Count; i++)
        {
            var match = true;
            for (var j = 0; j < part.Length && match; j++) match = bytes[i + j] == part[j];
            if (match) return i;
        }
        return -1;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed record RawAnswer(string StatusLine, int Status, ILookup<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}
