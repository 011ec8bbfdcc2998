using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tagflow.Wire;

/// <summary>
/// JSON settings for the wire. Requests are read leniently, as KlickTipp clients send them: numbers
/// as strings and strings as numbers, <c>"1"</c>/<c>"0"</c> for booleans, a scalar where a list is
/// expected, an empty string for an absent number.
/// </summary>
internal static class WireJson
{
    public static readonly JsonSerializerOptions Request = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new LenientString(), new LenientBool(), new LenientInt64(), new OptionalInt64(), new ListConverterFactory() },
    };

    public static readonly JsonSerializerOptions Response = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Quotes and umlauts as themselves ("Über"), not \u0022 escapes; the answers are JSON, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed class LenientString : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => reader.HasValueSequence
                ? System.Text.Encoding.UTF8.GetString(reader.ValueSequence.ToArray())
                : System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.Null => null,
            _ => throw new JsonException("expected a string"),
        };

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    private sealed class LenientBool : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.True: return true;
                case JsonTokenType.False: return false;
                case JsonTokenType.Number when reader.TryGetInt64(out var n) && n is 0 or 1: return n == 1;
                case JsonTokenType.String:
                    switch (reader.GetString()?.Trim().ToLowerInvariant())
                    {
                        case "1" or "true" or "on" or "yes": return true;
                        case "0" or "false" or "off" or "no" or "": return false;
                    }
                    break;
            }
            throw new JsonException("expected true or false");
        }

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }

    private sealed class LenientInt64 : JsonConverter<long>
    {
        public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n)) return n;
            if (reader.TokenType == JsonTokenType.String &&
                long.TryParse(reader.GetString()!.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n))
                return n;
            throw new JsonException("expected a whole number");
        }

        public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }

    /// <summary>As <see cref="LenientInt64"/>, and an empty string means absent.</summary>
    private sealed class OptionalInt64 : JsonConverter<long?>
    {
        private static readonly LenientInt64 Inner = new();

        public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null || reader.TokenType == JsonTokenType.String && reader.GetString()!.Trim().Length == 0
                ? null
                : Inner.Read(ref reader, typeof(long), options);

        public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
        {
            if (value is { } v) writer.WriteNumberValue(v);
            else writer.WriteNullValue();
        }
    }

    /// <summary>
    /// The most values any list of a request may hold. No call needs more, and a longer list would reach
    /// the database as that many parameters (SQLite allows 32,766): it is refused with 400 before any query.
    /// </summary>
    public const int MaxListValues = 1_000;

    /// <summary>Reads a list from an array, from an index map (<c>{"0":1}</c>) or from a single value.</summary>
    private sealed class ListConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(List<>);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ListConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
    }

    private sealed class ListConverter<T> : JsonConverter<List<T>>
    {
        public override List<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var item = (JsonConverter<T>)options.GetConverter(typeof(T));
            var list = new List<T>();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        Add(list, item.Read(ref reader, typeof(T), options)!);
                    break;
                case JsonTokenType.StartObject:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                    {
                        reader.Read(); // past the key
                        Add(list, item.Read(ref reader, typeof(T), options)!);
                    }
                    break;
                default:
                    list.Add(item.Read(ref reader, typeof(T), options)!);
                    break;
            }
            return list;
        }

        private static void Add(List<T> list, T item)
        {
            if (list.Count == MaxListValues) throw new ListTooLongException();
            list.Add(item);
        }

        public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToArray(), options);
    }

    /// <summary>A request's list holds more than <see cref="MaxListValues"/> values; answered 400 naming the key.</summary>
    internal sealed class ListTooLongException() : JsonException($"A list may hold at most {MaxListValues} values.");
}
