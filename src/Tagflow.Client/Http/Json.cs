using System.Globalization;
using System.Text.Json;

namespace Tagflow.Client.Http;

/// <summary>Lenient readers for the wire's JSON: ids and numbers arrive as strings or as numbers.</summary>
internal static class Json
{
    /// <summary>A scalar as text: strings as they are, numbers as written, booleans as 1/0, null as empty.</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "1",
        JsonValueKind.False => "0",
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => throw KlickTippException.UnexpectedAnswer($"Expected a plain value, got {value.ValueKind}."),
    };

    /// <summary>The named property as text; empty when it is missing.</summary>
    public static string Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) ? Text(value) : "";

    public static long Id(JsonElement value) => Id(Text(value));

    public static long Id(string text) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id)
        ? id
        : throw KlickTippException.UnexpectedAnswer($"Expected an id, got '{text}'.");

    /// <summary>An id that may be empty (0 and empty both mean none).</summary>
    public static long? OptionalId(string text) => text.Length == 0 || text == "0" ? null : Id(text);

    public static bool Flag(JsonElement obj, string name) => Text(obj, name).Trim().ToUpperInvariant() is "1" or "TRUE" or "YES";

    public static DateTimeOffset? UnixTime(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) && seconds != 0
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>The first element of a one-element list answer (<c>[49]</c>, <c>["https://…"]</c>); a bare value is accepted too.</summary>
    public static JsonElement Single(JsonElement answer) => answer.ValueKind switch
    {
        JsonValueKind.Array when answer.GetArrayLength() > 0 => answer[0],
        JsonValueKind.Array => throw KlickTippException.UnexpectedAnswer("Expected a list of one value, got an empty list."),
        _ => answer,
    };

    /// <summary>
    /// An object map as pairs of text. PHP writes a map whose keys are 0, 1, 2… as a list, and so an empty
    /// map as <c>[]</c>: a list is read as the map index → value.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> Map(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, Text(p.Value))),
        JsonValueKind.Array => value.EnumerateArray().Select((v, i) => new KeyValuePair<string, string>(i.ToString(CultureInfo.InvariantCulture), Text(v))),
        JsonValueKind.Null or JsonValueKind.Undefined => [],
        _ => throw KlickTippException.UnexpectedAnswer($"Expected a map, got {value.ValueKind}."),
    };

    /// <summary>
    /// The values of a list. PHP writes a list whose keys are not 0, 1, 2… (one filtered by <c>array_filter</c>)
    /// as an object <c>{"0":"17","2":"18"}</c>: its values are the list.
    /// </summary>
    public static IEnumerable<JsonElement> List(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.EnumerateArray(),
        JsonValueKind.Object => value.EnumerateObject().Select(p => p.Value),
        JsonValueKind.Null or JsonValueKind.Undefined => [],
        _ => throw KlickTippException.UnexpectedAnswer($"Expected a list, got {value.ValueKind}."),
    };

    /// <summary>An id as the wire writes it, in paths and as a drop-down value.</summary>
    public static string IdText(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A map id → Unix time, such as <c>manual_tags</c> or <c>emails_sent</c>.</summary>
    public static IReadOnlyDictionary<long, DateTimeOffset> TimeMap(JsonElement obj, string name)
    {
        var map = new Dictionary<long, DateTimeOffset>();
        if (obj.TryGetProperty(name, out var value))
        {
            foreach (var (key, time) in Map(value))
                map[Id(key)] = UnixTime(time) ?? DateTimeOffset.UnixEpoch;
        }
        return map;
    }
}
