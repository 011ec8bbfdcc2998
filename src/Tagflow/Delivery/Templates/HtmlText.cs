using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Tagflow.Delivery;

/// <summary>
/// The plain-text part of an email that has only HTML: its text with paragraphs, line breaks and
/// list items kept, each link as "text (url)", no tags, no entities; what is not shown (head,
/// styles, scripts) left out.
/// </summary>
internal static partial class HtmlText
{
    private static readonly HtmlParser Parser = new();

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "blockquote", "pre", "hr", "section", "article",
        "header", "footer", "address", "center",
    };

    private static readonly HashSet<string> Hidden = new(StringComparer.OrdinalIgnoreCase) { "head", "style", "script", "title", "template", "noscript" };

    private static readonly TextCache<string> Cache = new(200);

    /// <summary>The text of an HTML email; the same HTML for many contacts is read once.</summary>
    public static string From(string html) => Cache.Get(html, Read);

    private static string Read(string html)
    {
        using var document = Parser.ParseDocument(html);
        var text = new StringBuilder();
        Write(document.Body ?? (INode)document.DocumentElement, text);
        var lines = text.ToString().Split('\n').Select(l => Spaces().Replace(l, " ").Trim());
        return BlankLines().Replace(string.Join("\n", lines), "\n\n").Trim() + "\n";
    }

    private static void Write(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText t)
            {
                text.Append(Whitespace().Replace(t.Data, " "));
                continue;
            }
            if (child is not IElement element || Hidden.Contains(element.LocalName)) continue;
            var name = element.LocalName;
            if (name == "br")
            {
                text.Append('\n');
                continue;
            }
            var block = Blocks.Contains(name);
            if (block) text.Append("\n\n");
            if (name == "li") text.Append("\n- ");
            if (name is "td" or "th") text.Append(' ');
            if (name == "img" && element.GetAttribute("alt") is { Length: > 0 } alt) text.Append(alt);
            Write(element, text);
            if (name == "a" && element.GetAttribute("href") is { Length: > 0 } href && !href.StartsWith('#')
                && !href.Equals(element.TextContent.Trim(), StringComparison.Ordinal))
                text.Append(" (").Append(href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? href[7..] : href).Append(')');
            if (block) text.Append("\n\n");
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[ \t\u00A0]+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();
}
