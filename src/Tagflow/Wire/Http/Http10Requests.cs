using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Tagflow.Wire;

/// <summary>
/// Lets an HTTP/1.0 client POST or PUT without a body and without <c>Content-Length</c>.
/// </summary>
/// <remarks>
/// Why this exists: KlickTipp's official PHP connector, embedded unchanged in many shop and CMS
/// plugins, speaks raw HTTP/1.0 and sends <c>POST /account/logout HTTP/1.0</c> with neither a body nor
/// a length. RFC 9112 §6.3 says such a request has no body; Kestrel instead refuses it with 400
/// ("Length Required") while it reads the request head, before any middleware runs, and has no option
/// to turn that off (it already reads HTTP/1.1 requests this way). So this reader sits between the
/// socket and Kestrel's parser as connection middleware. It reads the first request head of each
/// connection whole; for a POST or PUT of HTTP/1.0 without <c>Content-Length</c> and
/// <c>Transfer-Encoding</c> it adds <c>Content-Length: 0</c>, and it changes nothing else. A connection
/// whose first request is HTTP/1.1 (nearly all) is passed through untouched from then on; an HTTP/1.0
/// connection kept alive has each later head looked at the same way. Answers need nothing of the kind:
/// Kestrel never sends chunked answers to HTTP/1.0, it ends them with the connection.
/// </remarks>
internal sealed class Http10Requests(PipeReader inner) : PipeReader
{
    /// <summary>Kestrel's own limits on a request head are lower; a longer one is left to Kestrel to refuse.</summary>
    private const int MaxHeadBytes = 64 * 1024;

    private static readonly byte[] EmptyLength = "Content-Length: 0\r\n\r\n"u8.ToArray();

    private enum Mode
    {
        /// <summary>The next bytes begin a request head, to be read whole and looked at.</summary>
        Head,
        /// <summary>An HTTP/1.0 request kept as it is: its head and body pass, then the next head is looked at.</summary>
        Passing,
        /// <summary>A head with <c>Content-Length: 0</c> added is handed out from <see cref="_rewritten"/>.</summary>
        Rewritten,
        /// <summary>Nothing more to look at on this connection.</summary>
        Through,
    }

    private Mode _mode = Mode.Head;
    private bool _keepAlive;
    private long _passLeft;
    private ReadOnlySequence<byte> _handedOut;
    private byte[] _rewritten = [];
    private bool _rewrittenExamined;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        _mode == Mode.Through ? inner.ReadAsync(cancellationToken) : ReadLookingAsync(cancellationToken);

    private async ValueTask<ReadResult> ReadLookingAsync(CancellationToken cancellationToken)
    {
        switch (_mode)
        {
            case Mode.Passing:
                var result = await inner.ReadAsync(cancellationToken);
                _handedOut = result.Buffer;
                return result;
            case Mode.Rewritten:
                var (canceled, completed) = _rewrittenExamined ? await TakeMoreAsync(cancellationToken) : (false, false);
                _handedOut = new ReadOnlySequence<byte>(_rewritten);
                return new ReadResult(_handedOut, canceled, completed);
            default:
                return await ReadHeadAsync(cancellationToken);
        }
    }

    private async ValueTask<ReadResult> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await inner.ReadAsync(cancellationToken);
            if (result.IsCanceled) return result;
            var buffer = result.Buffer;
            if (!buffer.IsEmpty && buffer.FirstSpan[0] is < (byte)'A' or > (byte)'Z')
                return PassRest(result); // not an HTTP/1.x request line (TLS, say)
            switch (RequestHead.Read(buffer))
            {
                case null when !result.IsCompleted && buffer.Length <= MaxHeadBytes:
                    inner.AdvanceTo(buffer.Start, buffer.End); // wait for the rest of the head
                    continue;
                case { Http10: true } head when head.LacksLength:
                    _keepAlive = head.KeepAlive;
                    var bytes = buffer.Slice(0, head.Length);
                    _rewritten = [.. bytes.Slice(0, bytes.Length - 2).ToArray(), .. EmptyLength];
                    _rewrittenExamined = false;
                    inner.AdvanceTo(bytes.End);
                    _mode = Mode.Rewritten;
                    _handedOut = new ReadOnlySequence<byte>(_rewritten);
                    return new ReadResult(_handedOut, isCanceled: false, isCompleted: false);
                case { Http10: true, BodyLength: { } bodyLength } head:
                    _keepAlive = head.KeepAlive;
                    _passLeft = head.Length + bodyLength;
                    _mode = Mode.Passing;
                    _handedOut = buffer;
                    return result;
                default:
                    return PassRest(result);
            }
        }
    }

    private ReadResult PassRest(ReadResult result)
    {
        _mode = Mode.Through;
        return result;
    }

    /// <summary>
    /// Kestrel looked at all of a rewritten head without taking it all (it never does with a whole head):
    /// joins what comes next to it, and stops looking at later heads, whose start is no longer known.
    /// </summary>
    private async Task<(bool Canceled, bool Completed)> TakeMoreAsync(CancellationToken cancellationToken)
    {
        var more = await inner.ReadAsync(cancellationToken);
        _rewritten = [.. _rewritten, .. more.Buffer.ToArray()];
        inner.AdvanceTo(more.Buffer.End);
        _keepAlive = false;
        _rewrittenExamined = false;
        return (more.IsCanceled, more.IsCompleted);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        switch (_mode)
        {
            case Mode.Rewritten:
                var taken = _handedOut.Slice(_handedOut.Start, consumed).Length;
                _rewrittenExamined = _handedOut.Slice(examined).IsEmpty;
                _rewritten = _rewritten[(int)taken..];
                if (_rewritten.Length == 0) _mode = _keepAlive ? Mode.Head : Mode.Through;
                break;
            case Mode.Passing:
                _passLeft -= _handedOut.Slice(_handedOut.Start, consumed).Length;
                inner.AdvanceTo(consumed, examined);
                if (_passLeft <= 0) _mode = _passLeft == 0 && _keepAlive ? Mode.Head : Mode.Through;
                break;
            default:
                inner.AdvanceTo(consumed, examined);
                break;
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        switch (_mode)
        {
            case Mode.Through:
                return inner.TryRead(out result);
            case Mode.Passing when inner.TryRead(out result):
                _handedOut = result.Buffer;
                return true;
            default:
                // A head is only handed out whole, by ReadAsync.
                result = default;
                return false;
        }
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    /// <summary>What matters of a request head: its version, whether it keeps the connection, how long its body is.</summary>
    private sealed record RequestHead(long Length, bool Http10, bool KeepAlive, long? BodyLength, bool LacksLength)
    {
        /// <summary>A head that is none of this reader's business: its lines end in a bare LF, which Kestrel judges alone.</summary>
        private static readonly RequestHead Other = new(0, Http10: false, KeepAlive: false, BodyLength: null, LacksLength: false);

        /// <summary>The head at the start of <paramref name="buffer"/>; null while it is incomplete.</summary>
        public static RequestHead? Read(ReadOnlySequence<byte> buffer)
        {
            var head = ReadCrLf(buffer);
            return head is null && new SequenceReader<byte>(buffer).TryReadTo(out ReadOnlySequence<byte> _, "\n\n"u8) ? Other : head;
        }

        private static RequestHead? ReadCrLf(ReadOnlySequence<byte> buffer)
        {
            var reader = new SequenceReader<byte>(buffer);
            if (!reader.TryReadTo(out ReadOnlySequence<byte> requestLine, "\r\n"u8)) return null;
            var line = Encoding.Latin1.GetString(requestLine);
            var method = line[..Math.Max(0, line.IndexOf(' ', StringComparison.Ordinal))];
            var http10 = line.EndsWith(" HTTP/1.0", StringComparison.Ordinal);
            string? contentLength = null;
            var transferEncoding = false;
            var keepAlive = false;
            while (reader.TryReadTo(out ReadOnlySequence<byte> field, "\r\n"u8))
            {
                if (field.IsEmpty)
                {
                    long? bodyLength = contentLength is null ? 0
                        : long.TryParse(contentLength, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
                        : null;
                    var lacksLength = contentLength is null && !transferEncoding && method is "POST" or "PUT";
                    return new RequestHead(reader.Consumed, http10, keepAlive, transferEncoding ? null : bodyLength, lacksLength);
                }
                var text = Encoding.Latin1.GetString(field);
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0) continue;
                var name = text[..colon].Trim();
                var value = text[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) contentLength = value;
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) transferEncoding = true;
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                    keepAlive |= value.Split(',').Any(t => t.Trim().Equals("keep-alive", StringComparison.OrdinalIgnoreCase));
            }
            return null;
        }
    }
}
