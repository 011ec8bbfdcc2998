using System.Collections;
using System.Globalization;

namespace Tagflow.Client;

/// <summary>
/// Data field values to write, keyed by field key (<see cref="StandardFieldKeys"/> or <c>field&lt;ID&gt;</c>).
/// Typed values are written in the form the wire requires: whole numbers as digits, decimals as hundredths
/// (<c>19.99m</c> → <c>1999</c>), dates and times as Unix seconds, times of day as seconds since midnight.
/// </summary>
/// <example><code>
/// new FieldValues
/// {
///     { StandardFieldKeys.FirstName, "Ann" },
///     { StandardFieldKeys.Birthday, new DateOnly(1990, 5, 8) },
///     { StandardFieldKeys.LeadValue, 19.99m },
///     { "field12", 42 },
/// }
/// </code></example>
public sealed class FieldValues : IEnumerable<KeyValuePair<string, string>>
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    /// <summary>How many fields are set.</summary>
    public int Count => _values.Count;

    /// <summary>The value written for <paramref name="key"/>, as text; setting replaces it.</summary>
    /// <param name="key">The field key.</param>
    public string this[string key]
    {
        get => _values[key];
        set => Add(key, value);
    }

    /// <summary>Sets a text value as it is (line, paragraph, email, HTML; an empty string clears the field).</summary>
    /// <param name="key">The field key.</param>
    /// <param name="value">The text.</param>
    public void Add(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        _values[key] = value;
    }

    /// <summary>Sets a whole number (number fields).</summary>
    /// <param name="key">The field key.</param>
    /// <param name="value">The number.</param>
    public void Add(string key, long value) => Add(key, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Sets a decimal (decimal fields), written as hundredths: <c>19.99m</c> → <c>1999</c>.</summary>
    /// <param name="key">The field key.</param>
    /// <param name="value">The amount, with at most two decimal places.</param>
    /// <exception cref="ArgumentException">The value has more than two decimal places (it would be rounded by the server).</exception>
    public void Add(string key, decimal value) => Add(key, Hundredths(value, key));

    /// <summary>Sets a point in time (date &amp; time fields) as Unix seconds.</summary>
    /// <param name="key">The field key.</param>
    /// <param name="value">The time.</param>
    public void Add(string key, DateTimeOffset value) => Add(key, value.ToUnixTimeSeconds());

    /// <summary>Sets a date (date fields) as the Unix seconds of its midnight UTC: <c>2024-05-08</c> → <c>1715126400</c>.</summary>
    /// <param name="key">The field key.</param>
    /// <param name="value">The date.</param>
    public void Add(string key, DateOnly value) => Add(key, new DateTimeOffset(value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

    /// <summary>Sets a time of day (time fields) as seconds since midnight, 0–86399.</summary>
    /// <param name="key">The field key.</param>
    /// <param name="value">The time of day; fractions of a second are dropped.</param>
    public void Add(string key, TimeOnly value) => Add(key, (long)value.ToTimeSpan().TotalSeconds);

    /// <summary>Sets a web address (URL fields).</summary>
    /// <param name="key">The field key.</param>
    /// <param name="value">An absolute http or https address.</param>
    public void Add(string key, Uri value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.IsAbsoluteUri || value.Scheme is not ("http" or "https"))
            throw new ArgumentException($"A URL field takes an absolute http or https address; got '{value}'.", nameof(value));
        Add(key, value.AbsoluteUri);
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static string Hundredths(decimal value, string key)
    {
        var hundredths = value * 100m;
        if (hundredths != decimal.Truncate(hundredths))
            throw new ArgumentException($"A decimal field takes at most two decimal places; {value.ToString(CultureInfo.InvariantCulture)} for '{key}' has more. Round it first.", nameof(value));
        return decimal.Truncate(hundredths).ToString("0", CultureInfo.InvariantCulture);
    }
}
