using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Tagflow.Tests.Infrastructure;

/// <summary>
/// A value read from PHP's serialize() format, as PHP's unserialize() reads it: strictly, with string
/// lengths counted in bytes, so that a wrong length fails here as it would make PHP answer false.
/// </summary>
public abstract record PhpValue
{
    public sealed record Null : PhpValue;
    public sealed record Bool(bool Value) : PhpValue;
    public sealed record Int(long Value) : PhpValue;
    public sealed record Float(double Value) : PhpValue;
    public sealed record Str(string Value) : PhpValue;
    /// <summary>A PHP array: keys are <see cref="Int"/> or <see cref="Str"/>, in order.</summary>
    public sealed record Array(IReadOnlyList<KeyValuePair<PhpValue, PhpValue>> Entries) : PhpValue
    {
        public bool Equals(Array? other) => other is not null && Entries.SequenceEqual(other.Entries);
        public override int GetHashCode() => Entries.Count;
    }

    /// <summary>An object, such as <c>stdClass</c>, with its properties in order.</summary>
    public sealed record Object(string ClassName, IReadOnlyList<KeyValuePair<string, PhpValue>> Properties) : PhpValue
    {
        public bool Equals(Object? other) => other is not null && ClassName == other.ClassName && Properties.SequenceEqual(other.Properties);
        public override int GetHashCode() => HashCode.Combine(ClassName, Properties.Count);
    }

    public static PhpValue Parse(byte[] bytes)
    {
        var position = 0;
        var value = Read(bytes, ref position);
        if (position != bytes.Length) throw new FormatException($"Bytes left over after the value at {position} of {bytes.Length}.");
        return value;
    }

    /// <summary>
    /// The value as JSON holds the same data: objects and arrays as JSON objects keyed by their keys' text,
    /// integers and floats as numbers. Compare with <see cref="Comparable"/> of the JSON answer.
    /// </summary>
    public JsonNode? ToJson() => this switch
    {
        Null => null,
        Bool b => JsonValue.Create(b.Value),
        Int i => JsonValue.Create(i.Value),
        Float f => JsonValue.Create(f.Value),
        Str s => JsonValue.Create(s.Value),
        Array a => new JsonObject(a.Entries.Select(e => KeyValuePair.Create(KeyText(e.Key), e.Value.ToJson()))),
        Object o => new JsonObject(o.Properties.Select(p => KeyValuePair.Create(p.Key, p.Value.ToJson()))),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>A JSON answer with every list written as an object keyed 0, 1, 2…, as PHP arrays hold lists.</summary>
    public static JsonNode? Comparable(JsonNode? json) => json switch
    {
        JsonArray a => new JsonObject(a.Select((v, i) => KeyValuePair.Create(i.ToString(CultureInfo.InvariantCulture), Comparable(v)))),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Comparable(p.Value)))),
        _ => json?.DeepClone(),
    };

    private static string KeyText(PhpValue key) => key switch
    {
        Int i => i.Value.ToString(CultureInfo.InvariantCulture),
        Str s => s.Value,
        _ => throw new FormatException($"An array key must be an integer or a string, not {key}."),
    };

    private static PhpValue Read(byte[] b, ref int p)
    {
        var type = (char)b[p];
        switch (type)
        {
            case 'N':
                Expect(b, ref p, "N;");
                return new Null();
            case 'b':
                Expect(b, ref p, "b:");
                var flag = ReadUntil(b, ref p, ';');
                return flag is "0" or "1" ? new Bool(flag == "1") : throw new FormatException($"b:{flag};");
            case 'i':
                Expect(b, ref p, "i:");
                return new Int(long.Parse(ReadUntil(b, ref p, ';'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            case 'd':
                Expect(b, ref p, "d:");
                var text = ReadUntil(b, ref p, ';');
                return new Float(text switch
                {
                    "INF" => double.PositiveInfinity,
                    "-INF" => double.NegativeInfinity,
                    "NAN" => double.NaN,
                    _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
                });
            case 's':
                return new Str(ReadString(b, ref p));
            case 'a':
                Expect(b, ref p, "a:");
                var count = int.Parse(ReadUntil(b, ref p, ':'), CultureInfo.InvariantCulture);
                Expect(b, ref p, "{");
                var entries = new List<KeyValuePair<PhpValue, PhpValue>>();
                for (var i = 0; i < count; i++)
                {
                    var key = Read(b, ref p);
                    if (key is not (Int or Str)) throw new FormatException($"Array key {key} at {p}.");
                    entries.Add(KeyValuePair.Create(key, Read(b, ref p)));
                }
                Expect(b, ref p, "}");
                return new Array(entries);
            case 'O':
                Expect(b, ref p, "O:");
                var nameLength = int.Parse(ReadUntil(b, ref p, ':'), CultureInfo.InvariantCulture);
                Expect(b, ref p, "\"");
                var className = Encoding.UTF8.GetString(b, p, nameLength);
                p += nameLength;
                Expect(b, ref p, "\":");
                var properties = int.Parse(ReadUntil(b, ref p, ':'), CultureInfo.InvariantCulture);
                Expect(b, ref p, "{");
                var props = new List<KeyValuePair<string, PhpValue>>();
                for (var i = 0; i < properties; i++)
                {
                    var name = ReadString(b, ref p);
                    props.Add(KeyValuePair.Create(name, Read(b, ref p)));
                }
                Expect(b, ref p, "}");
                return new Object(className, props);
            default:
                throw new FormatException($"Unknown type '{type}' at {p}.");
        }
    }

    private static string ReadString(byte[] b, ref int p)
    {
        Expect(b, ref p, "s:");
        var length = int.Parse(ReadUntil(b, ref p, ':'), CultureInfo.InvariantCulture);
        Expect(b, ref p, "\"");
        if (p + length > b.Length) throw new FormatException($"A string of {length} bytes runs past the end.");
        var value = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(b, p, length);
        p += length;
        Expect(b, ref p, "\";");
        return value;
    }

    private static string ReadUntil(byte[] b, ref int p, char end)
    {
        var start = p;
        while (p < b.Length && b[p] != end) p++;
        if (p == b.Length) throw new FormatException($"No '{end}' after {start}.");
        return Encoding.ASCII.GetString(b, start, p++ - start);
    }

    private static void Expect(byte[] b, ref int p, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        if (!b.AsSpan(p).StartsWith(bytes)) throw new FormatException($"Expected '{text}' at {p}, found '{Encoding.UTF8.GetString(b, p, Math.Min(20, b.Length - p))}'.");
        p += bytes.Length;
    }
}
