using System.Collections.Concurrent;

namespace Tagflow.Delivery;

/// <summary>
/// Moves an HTML email's <c>&lt;style&gt;</c> rules into the style attributes of the elements they
/// match (PreMailer.Net), since many mail clients drop style blocks; media queries stay in a style
/// block. HTML without a style block is left as it is, to the byte.
/// </summary>
internal static class CssInliner
{
    /// <summary>A campaign email is often the same HTML for many contacts: inlined once, kept for the next (a bounded cache; it starts over when full).</summary>
    private const int CacheLimit = 200;

    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    public static string Inline(string html)
    {
        if (!html.Contains("<style", StringComparison.OrdinalIgnoreCase)) return html;
        if (Cache.TryGetValue(html, out var inlined)) return inlined;
        inlined = PreMailer.Net.PreMailer.MoveCssInline(html, removeStyleElements: true, preserveMediaQueries: true).Html;
        if (Cache.Count >= CacheLimit) Cache.Clear();
        return Cache.GetOrAdd(html, inlined);
    }
}
