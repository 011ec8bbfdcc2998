using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Tagflow.Wire;

/// <summary>
/// A list of strings, or a map of strings when entries have keys, written entry by entry while the
/// database streams the rows, so that memory stays flat however many there are. JSON goes out as it
/// is written, every 16 KB. PHP's format names the number of entries before them (<c>a:N:{…}</c>), so
/// it is written to a buffer that moves to a temporary file past 32 KB, and sent once counted.
/// </summary>
internal sealed class WireStream<T>(IAsyncEnumerable<T> items, Func<T, string> value, Func<T, string>? key = null) : IResult
{
    private const int FlushBytes = 16 * 1024;

    public Task ExecuteAsync(HttpContext httpContext) =>
        WireFormat.WantsPhp(httpContext.Request) ? WritePhpAsync(httpContext.Response) : WriteJsonAsync(httpContext.Response);

    private async Task WriteJsonAsync(HttpResponse response)
    {
        var cancellationToken = response.HttpContext.RequestAborted;
        await using var rows = items.GetAsyncEnumerator(cancellationToken);
        // The query runs before the first byte is written: if it fails, the answer is a whole error, not a cut list.
        var more = await rows.MoveNextAsync();
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        if (key is null) writer.WriteStartArray();
        else writer.WriteStartObject();
        // Counted from all the writer has written: it hands its bytes to the body writer each time one of the
        // pipe's 4 KB segments fills, so its BytesPending alone never reaches FlushBytes (and Kestrel would
        // hold the whole answer until the end).
        var flushed = 0L;
        for (; more; more = await rows.MoveNextAsync())
        {
            var item = rows.Current;
            if (key is null) writer.WriteStringValue(value(item));
            else writer.WriteString(key(item), value(item));
            if (writer.BytesCommitted + writer.BytesPending - flushed > FlushBytes)
            {
                await writer.FlushAsync(cancellationToken);
                // Waits while the client is behind: the rows are read no faster than the answer is taken.
                await response.BodyWriter.FlushAsync(cancellationToken);
                flushed = writer.BytesCommitted;
            }
        }
        if (key is null) writer.WriteEndArray();
        else writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    private async Task WritePhpAsync(HttpResponse response)
    {
        var cancellationToken = response.HttpContext.RequestAborted;
        await using var entries = new FileBufferingWriteStream();
        var pending = new ArrayBufferWriter<byte>(FlushBytes * 2);
        var count = 0L;
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            if (key is null) PhpSerializer.Write(pending, count);
            else PhpSerializer.WriteKey(pending, key(item));
            PhpSerializer.WriteString(pending, value(item));
            count++;
            if (pending.WrittenCount > FlushBytes)
            {
                await entries.WriteAsync(pending.WrittenMemory, cancellationToken);
                pending.ResetWrittenCount();
            }
        }
        await entries.WriteAsync(pending.WrittenMemory, cancellationToken);
        pending.ResetWrittenCount();

        PhpSerializer.WriteArrayStart(pending, count);
        var start = pending.WrittenMemory;
        response.ContentType = WireFormat.PhpMediaType;
        response.ContentLength = start.Length + entries.Length + 1;
        await response.Body.WriteAsync(start, cancellationToken);
        await entries.DrainBufferAsync(response.Body, cancellationToken);
        await response.Body.WriteAsync("}"u8.ToArray(), cancellationToken);
    }
}
