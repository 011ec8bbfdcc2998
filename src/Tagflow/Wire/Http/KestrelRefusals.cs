using System.IO.Pipelines;
using System.Text;

namespace Tagflow.Wire;

/// <summary>
/// Gives the answers Kestrel writes on its own a body in the wire's error format.
/// </summary>
/// <remarks>
/// Why this exists: a request Kestrel cannot read (a malformed request line, a URL or headers over its
/// limits, a head that does not arrive in time) is answered by Kestrel itself, before any middleware
/// runs, with the status alone and an empty body, and Kestrel has no way to change that. Every other
/// error of Tagflow's carries one sentence saying what went wrong. So this writer sits between Kestrel
/// and the socket as connection middleware and recognises exactly those answers: an error status,
/// <c>Content-Length: 0</c>, <c>Connection: close</c> and no <c>Content-Type</c>, written as one head
/// (Tagflow's own answers always have a type and a body). It puts a JSON list of one sentence in their
/// place. Every other write passes through untouched.
/// </remarks>
internal sealed class KestrelRefusals(PipeWriter inner) : PipeWriter
{
    private static readonly byte[] StatusLineStart = "HTTP/1.1 "u8.ToArray();
    private static readonly byte[] EmptyBody = "\r\nContent-Length: 0\r\n"u8.ToArray();
    private static readonly byte[] Closes = "\r\nConnection: close\r\n"u8.ToArray();
    private static readonly byte[] Typed = "\r\nContent-Type:"u8.ToArray();

    private Memory<byte> _handedOut;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _handedOut = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        var written = _handedOut.Span[..Math.Min(bytes, _handedOut.Length)];
        if (bytes != written.Length || Sentence(written) is not { } sentence)
        {
            inner.Advance(bytes);
            return;
        }
        // The head is rewritten in place: it was never advanced, so the same memory is written again.
        var head = Encoding.ASCII.GetString(written);
        var body = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new[] { sentence }, WireJson.Response));
        var rewritten = Encoding.ASCII.GetBytes(head.Replace("\r\nContent-Length: 0\r\n",
            $"\r\nContent-Length: {body.Length}\r\nContent-Type: application/json; charset=utf-8\r\n", StringComparison.Ordinal));
        byte[] answer = [.. rewritten, .. body];
        answer.CopyTo(inner.GetSpan(answer.Length));
        inner.Advance(answer.Length);
    }

    /// <summary>The sentence for one of Kestrel's own empty error answers; null for anything else.</summary>
    private static string? Sentence(ReadOnlySpan<byte> written)
    {
        if (written.Length < 16 || !written.StartsWith(StatusLineStart) || !written.EndsWith("\r\n\r\n"u8)
            || written.IndexOf(EmptyBody) < 0 || written.IndexOf(Closes) < 0 || written.IndexOf(Typed) >= 0)
            return null;
        return Encoding.ASCII.GetString(written.Slice(StatusLineStart.Length, 3)) switch
        {
            "400" => "The request is not valid HTTP and could not be read.",
            "405" => "The request's method is not one HTTP knows.",
            "408" => "The request did not arrive in time; send it again.",
            "411" => "The request has a body but no Content-Length or Transfer-Encoding: send one of them.",
            "413" => "The request body is too large.",
            "414" => "The request's URL is too long: at most 8 KB.",
            "431" => "The request's headers are too large: at most 32 KB and 100 fields in all.",
            "501" => "The request uses a method or a transfer coding this server does not implement.",
            "505" => "The request's HTTP version is not supported: send HTTP/1.0, HTTP/1.1 or HTTP/2.",
            _ => null,
        };
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;
}
