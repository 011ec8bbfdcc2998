namespace Tagflow.Wire;

/// <summary>How an answer repeats what a request sent.</summary>
internal static class WireText
{
    /// <summary>The most characters of a request's text an error message or envelope repeats.</summary>
    public const int MaxEcho = 100;

    /// <summary>
    /// Why a name or other single-line text may not be used, or null: it holds a control character (a
    /// line break, a tab, an escape), which would break the lines of a list or recolour a terminal
    /// where it is shown. Other control characters are refused in any text at the door (<see cref="WireBody"/>).
    /// </summary>
    public static string? LineProblem(string key, string text)
    {
        foreach (var c in text)
        {
            if (IsControl(c))
                return $"The key \"{key}\" contains a control character (U+{(int)c:X4}); a {(key.Contains("name", StringComparison.Ordinal) ? "name" : "single-line text")} may not.";
        }
        return null;
    }

    /// <summary>C0 and C1 control characters and DEL.</summary>
    public static bool IsControl(char c) => c < ' ' || c is >= '\u007f' and <= '\u009f';

    /// <summary>
    /// Text from the request, as an error repeats it: whole when short, else its first
    /// <see cref="MaxEcho"/> characters and "…", so that a huge value is not sent back whole.
    /// </summary>
    public static string Echo(string text)
    {
        if (text.Length <= MaxEcho) return text;
        var cut = char.IsHighSurrogate(text[MaxEcho - 1]) ? MaxEcho - 1 : MaxEcho;
        return string.Concat(text.AsSpan(0, cut), "…");
    }
}
