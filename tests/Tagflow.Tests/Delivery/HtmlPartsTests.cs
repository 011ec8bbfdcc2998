using Tagflow.Delivery;

namespace Tagflow.Tests.Delivery;

/// <summary>What an HTML email becomes: a plain-text part made from it, and its styles inlined for mail clients.</summary>
public sealed class HtmlPartsTests
{
    [Fact]
    public void TheTextPartKeepsParagraphsLineBreaksAndLinksAndLeavesNoTagsOrEntities()
    {
        const string html = """
            <html><head><title>Hidden</title><style>p { color: red }</style></head><body>
            <h1>Welcome,   Anna</h1>
            <p>Fish &amp; chips<br>at &lt;noon&gt;&nbsp;today.</p>
            <p>See <a href="https://shop.example/start?a=1&amp;b=2">our shop</a> or <a href="https://shop.example/">https://shop.example/</a>.</p>
            <ul><li>One</li><li>Two</li></ul>
            <script>alert(1)</script>
            </body></html>
            """;
        Assert.Equal(
            "Welcome, Anna\n\nFish & chips\nat <noon> today.\n\nSee our shop (https://shop.example/start?a=1&b=2) or https://shop.example/.\n\n- One\n- Two\n",
            HtmlText.From(html));
    }

    [Fact]
    public void StyleBlocksMoveIntoTheElementsTheyStyle()
    {
        var inlined = CssInliner.Inline("<style>p.note { color: #c00; } a { font-weight: bold }</style><p class=\"note\">Hi <a href=\"https://x.example/\">x</a></p>");
        Assert.Contains("<p class=\"note\" style=\"color: #c00\">", inlined, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://x.example/\" style=\"font-weight: bold\">", inlined, StringComparison.Ordinal);
        Assert.DoesNotContain("<style", inlined, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlWithoutAStyleBlockIsLeftAsItIs()
    {
        const string html = "<p>Hello <b>Anna</b></p>\n";
        Assert.Same(html, CssInliner.Inline(html));
    }
}
