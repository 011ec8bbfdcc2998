namespace Tagflow.Wire;

/// <summary>How an answer repeats what a request sent.</summary>
internal static class WireText
{
    /// <summary>The most characters of a request's text an error message or envelope repeats.</summary>
    public const int MaxEcho = 100;

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
