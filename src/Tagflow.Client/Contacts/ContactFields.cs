using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Tagflow.Client;

/// <summary>
/// A contact's data fields as the server sent them (key → text), with typed readers for numbers, decimals,
/// dates, times and URLs. Keys are <see cref="StandardFieldKeys"/> and <c>field&lt;ID&gt;</c>.
/// </summary>
public sealed class ContactFields : IReadOnlyDictionary<string, string>
{
    private readonly Dictionary<string, string> _values;

    /// <summary>Wraps field values read from the server (or made in a test).</summary>
    /// <param name="values">Field key → value as text.</param>
    public ContactFields(IEnumerable<KeyValuePair<string, string>> values) => _values = new Dictionary<string, string>(values, StringComparer.Ordinal);

    /// <summary>The raw text of a field; throws <see cref="KeyNotFoundException"/> for a key the contact does not have.</summary>
    /// <param name="key">The field key.</param>
    public string this[string key] => _values[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc />
    public IEnumerable<string> Values => _values.Values;

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <summary>The text of a field; <see langword="null"/> when it is empty or missing.</summary>
    /// <param name="key">The field key.</param>
    public string? GetText(string key) => _values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    /// <summary>A number field; <see langword="null"/> when empty.</summary>
    /// <param name="key">The field key.</param>
    /// <exception cref="FormatException">The value is not a whole number.</exception>
    public long? GetNumber(string key) => GetText(key) is { } text ? long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;

    /// <summary>A decimal field, read back as a dotted decimal (<c>19.99</c>); <see langword="null"/> when empty.</summary>
    /// <param name="key">The field key.</param>
    /// <exception cref="FormatException">The value is not a decimal.</exception>
    public decimal? GetDecimal(string key) => GetText(key) is { } text ? decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : null;

    /// <summary>A date &amp; time field (Unix seconds); <see langword="null"/> when empty.</summary>
    /// <param name="key">The field key.</param>
    /// <exception cref="FormatException">The value is not Unix seconds.</exception>
    public DateTimeOffset? GetDateTime(string key) => GetText(key) is { } text
        ? DateTimeOffset.FromUnixTimeSeconds(long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))
        : null;

    /// <summary>A date field (Unix seconds of the date's midnight UTC); <see langword="null"/> when empty.</summary>
    /// <param name="key">The field key.</param>
    /// <exception cref="FormatException">The value is not Unix seconds.</exception>
    public DateOnly? GetDate(string key) => GetDateTime(key) is { } time ? DateOnly.FromDateTime(time.UtcDateTime) : null;

    /// <summary>A time field (seconds since midnight); <see langword="null"/> when empty.</summary>
    /// <param name="key">The field key.</param>
    /// <exception cref="FormatException">The value is not seconds since midnight.</exception>
    public TimeOnly? GetTime(string key) => GetNumber(key) is { } seconds
        ? seconds is >= 0 and < 86400 ? TimeOnly.FromTimeSpan(TimeSpan.FromSeconds(seconds)) : throw new FormatException($"'{seconds}' in {key} is not seconds since midnight.")
        : null;

    /// <summary>A URL field; <see langword="null"/> when empty.</summary>
    /// <param name="key">The field key.</param>
    /// <exception cref="FormatException">The value is not an absolute address.</exception>
    public Uri? GetUrl(string key) => GetText(key) is { } text
        ? Uri.TryCreate(text, UriKind.Absolute, out var url) ? url : throw new FormatException($"'{text}' in {key} is not an absolute URL.")
        : null;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => _values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
