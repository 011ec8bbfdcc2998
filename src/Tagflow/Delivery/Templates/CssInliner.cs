namespace Tagflow.Delivery;

/// <summary>
/// Moves an HTML email's <c>&lt;style&gt;</c> rules into the style attributes of the elements they
/// match (PreMailer.Net), since many mail clients drop style blocks; media queries stay in a style
/// block. HTML without a style block is left as it is, to the byte.
/// </summary>
internal static class CssInliner
{
    /// <summary>A campaign email is often the same HTML for many contacts (about a millisecond each to inline): inlined once, kept for the next.</summary>
    private const int CacheLimit = 200;

    private static readonly TextCache<string> Cache = new(CacheLimit);

    public static string Inline(string html) => html.Contains("<style", StringComparison.OrdinalIgnoreCase)
        ? Cache.Get(html, static h => PreMailer.Net.PreMailer.MoveCssInline(h, removeStyleElements: true, preserveMediaQueries: true).Html)
        : html;
}
