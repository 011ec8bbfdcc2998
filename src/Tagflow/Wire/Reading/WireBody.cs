using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;

namespace Tagflow.Wire;

/// <summary>
/// Reads a request into one JSON object, whatever the encoding: JSON, form-urlencoded with PHP-style
/// nested keys (<c>fields[fieldFirstName]=Ann</c>, <c>tagids[]=1</c>), or multipart. For filter
/// calls, query-string parameters are merged in where the body does not set the same key.
/// </summary>
internal static partial class WireBody
{
    /// <summary>Nesting deeper than this (<c>a[b][c]…</c>) is refused; no call of the wire needs more than three.</summary>
    private const int MaxDepth = 8;

    public static async Task<JsonObject> ReadAsync(HttpRequest request, bool readQuery, CancellationToken cancellationToken)
    {
        var body = request.HasFormContentType
            ? FromPairs(await ReadFormAsync(request, cancellationToken))
            : await ReadJsonAsync(request, cancellationToken);
        // The body wins over the query string key by key; a query key spread over several parameters
        // (status[0]=a&status[1]=b) is merged whole.
        var bodyKeys = body.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, values) in readQuery ? request.Query : QueryCollection.Empty)
        {
            if (!bodyKeys.Contains(KeyName(key))) Insert(body, key, values);
        }
        RefuseUnstorableText(body, "");
        // The body itself stays an object even when its keys are all numbers (8=a&9=b): only what is inside becomes lists.
        foreach (var key in body.Select(p => p.Key).ToList())
        {
            var value = body[key];
            body.Remove(key);
            body[key] = Normalize(value);
        }
        return body;
    }

    /// <summary>
    /// Text no database can keep stops at the door: a NUL character (PostgreSQL refuses it) or a
    /// lone surrogate escape such as <c>\ud800</c> (not Unicode at all). So do control characters other
    /// than tab and line breaks (an escape can recolour or clear the terminal of whoever lists a name);
    /// names and other single-line texts refuse tabs and line breaks too (<see cref="WireText.LineProblem"/>).
    /// </summary>
    private static void RefuseUnstorableText(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj) RefuseUnstorableText(value, path.Length == 0 ? key : $"{path}[{key}]");
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++) RefuseUnstorableText(array[i], $"{path}[{i}]");
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                string text;
                try
                {
                    text = value.GetValue<string>();
                }
                catch (InvalidOperationException)
                {
                    throw new WireBadRequestException($"The key \"{path}\" holds text that is not valid Unicode.");
                }
                if (text.Contains('\0', StringComparison.Ordinal))
                    throw new WireBadRequestException($"The key \"{WireText.Echo(path)}\" contains a NUL character, which is not allowed.");
                if (text.FirstOrDefault(c => WireText.IsControl(c) && c is not ('\t' or '\n' or '\r')) is var control and not '\0')
                    throw new WireBadRequestException($"The key \"{WireText.Echo(path)}\" contains a control character (U+{(int)control:X4}), which is not allowed.");
                break;
        }
    }

    private static async Task<IEnumerable<KeyValuePair<string, StringValues>>> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new WireBadRequestException($"The form body could not be read: {e.Message}");
        }
    }

    private static async Task<JsonObject> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || !request.Body.CanRead) return [];
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0 || IsBlank(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))) return [];
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not null && !mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase))
            throw new WireBadRequestException(
                $"Unsupported Content-Type '{WireText.Echo(mediaType)}': send application/json, application/x-www-form-urlencoded or multipart/form-data.");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length).Span,
                documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = MaxDepth + 1 });
        }
        catch (JsonException e)
        {
            throw new WireBadRequestException($"The JSON body is malformed: {e.Message}");
        }
        return node as JsonObject
            ?? throw new WireBadRequestException("The JSON body must be an object, such as {\"email\":\"a@b.de\"}.");
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }

    private static JsonObject FromPairs(IEnumerable<KeyValuePair<string, StringValues>> pairs)
    {
        var root = new JsonObject();
        foreach (var (key, values) in pairs) Insert(root, key, values);
        return root;
    }

    [GeneratedRegex(@"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")]
    private static partial Regex NestedKey();

    private static string KeyName(string key) => NestedKey().Match(key) is { Success: true } m ? m.Groups[1].Value : key;

    /// <summary>Inserts <c>a[b][]=v</c> as {"a":{"b":{"0":"v"}}}; <see cref="Normalize"/> later turns index maps into arrays.</summary>
    private static void Insert(JsonObject root, string key, StringValues values)
    {
        var match = NestedKey().Match(key);
        var path = match.Success
            ? [match.Groups[1].Value, .. match.Groups[2].Value[1..^1].Split("]["),]
            : new[] { key };
        if (path.Length > MaxDepth)
            throw new WireBadRequestException($"The key \"{path[0]}\" is nested more than {MaxDepth} levels deep.");
        foreach (var value in values)
        {
            var container = root;
            for (var i = 0; i < path.Length - 1; i++)
            {
                var segment = path[i].Length == 0 ? container.Count.ToString(CultureInfo.InvariantCulture) : path[i];
                if (container[segment] is not JsonObject child)
                {
                    child = [];
                    container[segment] = child;
                }
                container = child;
            }
            var last = path[^1].Length == 0 ? container.Count.ToString(CultureInfo.InvariantCulture) : path[^1];
            // A plain key given twice (tagids=1&tagids=2) becomes a list.
            if (values.Count > 1 && path.Length == 1)
            {
                if (container[last] is not JsonObject list) container[last] = list = [];
                list[list.Count.ToString(CultureInfo.InvariantCulture)] = value;
            }
            else
            {
                container[last] = value;
            }
        }
    }

    /// <summary>Objects whose keys are all whole numbers become arrays in key order, as PHP lists do.</summary>
    private static JsonNode? Normalize(JsonNode? node)
    {
        if (node is not JsonObject obj) return node;
        var entries = obj.Select(e => (e.Key, e.Value)).ToList();
        obj.Clear(); // detaches the children so they can be placed again
        var normalized = entries.Select(e => (e.Key, Value: Normalize(e.Value))).ToList();
        if (normalized.Count > 0 && normalized.All(e => IsIndex(e.Key)))
            return new JsonArray([.. normalized.OrderBy(e => int.Parse(e.Key, CultureInfo.InvariantCulture)).Select(e => e.Value)]);
        foreach (var (key, value) in normalized) obj[key] = value;
        return obj;
    }

    private static bool IsIndex(string key) => int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _);
}
