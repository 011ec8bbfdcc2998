using System.Text.Json;

namespace Tagflow.Wire;

/// <summary>
/// A JSON array or object written item by item while the database streams the rows, so that
/// memory stays flat however many there are.
/// </summary>
internal sealed class WireStream<T>(IAsyncEnumerable<T> items, Action<Utf8JsonWriter, T> writeItem, bool asObject) : IResult
{
    private const int FlushBytes = 16 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var cancellationToken = httpContext.RequestAborted;
        var response = httpContext.Response;
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        if (asObject) writer.WriteStartObject();
        else writer.WriteStartArray();
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            writeItem(writer, item);
            if (writer.BytesPending > FlushBytes)
            {
                await writer.FlushAsync(cancellationToken);
                await response.BodyWriter.FlushAsync(cancellationToken);
            }
        }
        if (asObject) writer.WriteEndObject();
        else writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken);
    }
}
