using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tagflow.Wire;

/// <summary>
/// Writes answers in PHP's <c>serialize()</c> format, for clients that ask for it with
/// <c>Accept: application/vnd.php.serialized</c> (KlickTipp's official PHP connector runs every answer
/// through <c>unserialize()</c>). It reads the same answer objects the JSON format writes: a
/// <see cref="WireObject"/> is a <c>stdClass</c> object, every other map and list a PHP array, and any
/// other type is read as JSON writes it. Strings are measured in UTF-8 bytes, as PHP measures them.
/// </summary>
internal static class PhpSerializer
{
    /// <summary>The value as PHP's <c>serialize()</c> would write it.</summary>
    public static byte[] Serialize(object? value)
    {
        var output = new ArrayBufferWriter<byte>();
        Write(output, value);
        return output.WrittenSpan.ToArray();
    }

    public static void Write(IBufferWriter<byte> output, object? value)
    {
        switch (value)
        {
            case null:
                output.Write("N;"u8);
                break;
            case bool b:
                output.Write(b ? "b:1;"u8 : "b:0;"u8);
                break;
            case string s:
                WriteString(output, s);
                break;
            case int or long or short or sbyte or byte or ushort or uint:
                WriteInteger(output, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u when u <= long.MaxValue:
                WriteInteger(output, (long)u);
                break;
            case double or float or decimal or ulong:
                WriteFloat(output, Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case WireObject o:
                output.Write("O:8:\"stdClass\":"u8);
                WriteCount(output, o.Count);
                foreach (var (key, item) in o)
                {
                    // A stdClass property name is always a string, digits or not, as PHP writes it.
                    WriteString(output, key);
                    Write(output, item);
                }
                output.Write("}"u8);
                break;
            case JsonElement e:
                WriteJson(output, e);
                break;
            case JsonNode n:
                WriteJson(output, JsonSerializer.SerializeToElement(n, WireJson.Response));
                break;
            case IDictionary d:
                WriteArrayStart(output, d.Count);
                foreach (DictionaryEntry entry in d)
                {
                    WriteKey(output, Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    Write(output, entry.Value);
                }
                output.Write("}"u8);
                break;
            case IEnumerable list:
                var items = list as ICollection ?? list.Cast<object?>().ToList();
                WriteArrayStart(output, items.Count);
                var index = 0L;
                foreach (var item in items)
                {
                    WriteInteger(output, index++);
                    Write(output, item);
                }
                output.Write("}"u8);
                break;
            default:
                // A record or any other type: what JSON would write, so both formats carry the same keys.
                WriteJson(output, JsonSerializer.SerializeToElement(value, value.GetType(), WireJson.Response));
                break;
        }
    }

    /// <summary><c>a:N:{</c>; the entries follow as key, value, key, value, and then <c>}</c>.</summary>
    public static void WriteArrayStart(IBufferWriter<byte> output, long count)
    {
        output.Write("a:"u8);
        WriteCount(output, count);
    }

    /// <summary>
    /// An array key: an integer key where PHP's own arrays make one (decimal digits without a leading
    /// zero, optionally negative, within 64 bits: <c>"21"</c>, not <c>"021"</c> or <c>"-0"</c>), else a string.
    /// </summary>
    public static void WriteKey(IBufferWriter<byte> output, string key)
    {
        if (IsIntegerKey(key, out var number)) WriteInteger(output, number);
        else WriteString(output, key);
    }

    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        output.Write("s:"u8);
        WriteNumber(output, Encoding.UTF8.GetByteCount(value));
        output.Write(":\""u8);
        Encoding.UTF8.GetBytes(value, output);
        output.Write("\";"u8);
    }

    private static void WriteInteger(IBufferWriter<byte> output, long value)
    {
        output.Write("i:"u8);
        WriteNumber(output, value);
        output.Write(";"u8);
    }

    private static void WriteCount(IBufferWriter<byte> output, long count)
    {
        WriteNumber(output, count);
        output.Write(":{"u8);
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    private static void WriteFloat(IBufferWriter<byte> output, double value)
    {
        output.Write("d:"u8);
        Encoding.ASCII.GetBytes(FloatText(value), output);
        output.Write(";"u8);
    }

    /// <summary>
    /// A float as PHP writes it with its default <c>serialize_precision</c> of -1: the shortest digits that
    /// read back as the same number (<c>0.1</c>, <c>100</c>), in exponent form (<c>1.0E+25</c>, <c>1.5E-7</c>)
    /// when the decimal point would fall more than 17 places right of the first digit or more than 4
    /// places left of it; <c>INF</c>, <c>-INF</c> and <c>NAN</c> as words.
    /// </summary>
    public static string FloatText(double value)
    {
        if (double.IsNaN(value)) return "NAN";
        if (double.IsInfinity(value)) return value > 0 ? "INF" : "-INF";
        var sign = double.IsNegative(value) ? "-" : "";
        if (value == 0) return sign + "0";
        // "R" gives the shortest round-trip digits, e.g. "1.2345678901234568E+17" or "0.0001".
        var text = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var exponent = e < 0 ? 0 : int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? text : text[..e];
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var allDigits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var significant = allDigits.TrimStart('0');
        // value = 0.<digits> × 10^decimalPoint, as C's dtoa reports it
        var decimalPoint = (point < 0 ? mantissa.Length : point) + exponent - (allDigits.Length - significant.Length);
        var digits = significant.TrimEnd('0');
        if (decimalPoint < -3 || decimalPoint > 17)
        {
            var shown = decimalPoint - 1;
            return string.Create(CultureInfo.InvariantCulture,
                $"{sign}{digits[0]}.{(digits.Length > 1 ? digits[1..] : "0")}E{(shown < 0 ? '-' : '+')}{Math.Abs(shown)}");
        }
        if (decimalPoint <= 0) return $"{sign}0.{new string('0', -decimalPoint)}{digits}";
        return digits.Length <= decimalPoint
            ? sign + digits.PadRight(decimalPoint, '0')
            : $"{sign}{digits[..decimalPoint]}.{digits[decimalPoint..]}";
    }

    private static bool IsIntegerKey(string key, out long number)
    {
        number = 0;
        var digits = key.StartsWith('-') ? key.AsSpan(1) : key.AsSpan();
        if (digits.Length == 0 || (digits[0] == '0' && (digits.Length > 1 || key.Length > 1))) return false;
        foreach (var c in digits)
            if (c is < '0' or > '9') return false;
        return long.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>JSON as PHP's <c>json_decode($json, true)</c> would hold it: every object and list a PHP array.</summary>
    private static void WriteJson(IBufferWriter<byte> output, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteArrayStart(output, value.EnumerateObject().Count());
                foreach (var property in value.EnumerateObject())
                {
                    WriteKey(output, property.Name);
                    WriteJson(output, property.Value);
                }
                output.Write("}"u8);
                break;
            case JsonValueKind.Array:
                WriteArrayStart(output, value.GetArrayLength());
                var index = 0L;
                foreach (var item in value.EnumerateArray())
                {
                    WriteInteger(output, index++);
                    WriteJson(output, item);
                }
                output.Write("}"u8);
                break;
            case JsonValueKind.String:
                WriteString(output, value.GetString()!);
                break;
            case JsonValueKind.Number when value.TryGetInt64(out var whole):
                WriteInteger(output, whole);
                break;
            case JsonValueKind.Number:
                WriteFloat(output, value.GetDouble());
                break;
            case JsonValueKind.True or JsonValueKind.False:
                Write(output, value.GetBoolean());
                break;
            default:
                output.Write("N;"u8);
                break;
        }
    }
}
