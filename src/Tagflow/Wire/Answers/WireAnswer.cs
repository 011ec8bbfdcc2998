using System.Buffers;
using Microsoft.Net.Http.Headers;

namespace Tagflow.Wire;

/// <summary>
/// The two formats of the wire's answers: JSON, and PHP's <c>serialize()</c> format for a request whose
/// <c>Accept</c> names <c>application/vnd.php.serialized</c> (KlickTipp's official PHP connector).
/// </summary>
internal static class WireFormat
{
    public const string PhpMediaType = "application/vnd.php.serialized";

    /// <summary>The request's <c>Accept</c> names PHP's format (with a quality above 0); anything else gets JSON.</summary>
    public static bool WantsPhp(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        foreach (var value in accept)
        {
            // Parsed only when it may name the type: nearly every request asks for JSON or anything.
            if (value?.Contains("php", StringComparison.OrdinalIgnoreCase) == true)
            {
                return MediaTypeHeaderValue.TryParseList(accept, out var types)
                    && types.Any(t => t.MediaType.Equals(PhpMediaType, StringComparison.OrdinalIgnoreCase) && t.Quality is not 0);
            }
        }
        return false;
    }
}

/// <summary>
/// An answer of the wire: a value with its status, written as JSON or in PHP's format, whichever the
/// request asks for. A bare answer is a single value that JSON writes as a list of one (<c>[true]</c>,
/// <c>[49]</c>, <c>["https://…"]</c>) and PHP's format as the value itself (<c>b:1;</c>), as KlickTipp does.
/// </summary>
internal sealed class WireAnswer(object? value, int statusCode = StatusCodes.Status200OK, bool bare = false) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext.Response, value, statusCode, bare);

    public static async Task WriteAsync(HttpResponse response, object? value, int statusCode, bool bare = false)
    {
        response.StatusCode = statusCode;
        var cancellationToken = response.HttpContext.RequestAborted;
        if (!WireFormat.WantsPhp(response.HttpContext.Request))
        {
            await response.WriteAsJsonAsync(bare ? new[] { value } : value, WireJson.Response, cancellationToken);
            return;
        }
        var body = new ArrayBufferWriter<byte>();
        PhpSerializer.Write(body, value);
        response.ContentType = WireFormat.PhpMediaType;
        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory, cancellationToken);
    }
}
