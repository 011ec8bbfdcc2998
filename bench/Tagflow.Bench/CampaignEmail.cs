using System.Text;

namespace Tagflow.Bench;

/// <summary>
/// The campaign's email step: a short newsletter, four sections with a link each, as text and as
/// HTML with inline styles, about 6.5 KB as Tagflow sends it (with its tracking links, open image and
/// unsubscribe footer). The size matters: a mail client writes a message to the relay in pieces of
/// a few KB, and a message of more than one piece meets TCP's delayed acknowledgement unless the
/// client turns Nagle's algorithm off, which a two-line email would not show.
/// </summary>
internal static class CampaignEmail
{
    private static readonly (string Title, string Slug, string Body)[] Sections =
    [
        ("New in the shop", "new", "Our spring collection is in: light jackets, linen shirts and shoes for long walks, each made to last and easy to repair."),
        ("This week's offer", "offer", "Until Sunday every second item is half price, and delivery is free on orders over thirty euros, wherever you live."),
        ("From the blog", "blog", "How to look after leather, which fabrics keep you cool in summer, and why we print our labels on recycled paper."),
        ("Events near you", "events", "Meet the makers at our stores this month: repair cafés on Saturdays, and a talk on sustainable materials in Berlin."),
    ];

    public const string Subject = "Welcome, {{fieldFirstName}}: what is new this week";

    public static string Text()
    {
        var text = new StringBuilder("Hello {{fieldFirstName}},\n\nthank you for signing up with {{email}}. Here is what is new this week.\n\n");
        foreach (var (title, slug, body) in Sections)
            text.Append(title).Append("\n\n").Append(body).Append(' ').Append(body).Append("\n\nRead more: https://shop.bench.example/").Append(slug).Append("\n\n");
        return text.Append("See you soon,\nthe Tagflow bench shop\n").ToString();
    }

    public static string Html()
    {
        var html = new StringBuilder("""
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>What is new this week</title></head>
            <body style="margin:0;padding:0;background:#f4f4f4;font-family:Helvetica,Arial,sans-serif;color:#333333">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f4"><tr><td align="center" style="padding:24px 12px">
            <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:6px">
            <tr><td style="padding:24px 32px;font-size:22px;font-weight:bold;color:#1a1a1a">Hello {{fieldFirstName}},</td></tr>
            <tr><td style="padding:0 32px 16px;font-size:15px;line-height:22px">thank you for signing up with {{email}}. Here is what is new this week.</td></tr>

            """);
        foreach (var (title, slug, body) in Sections)
        {
            html.Append($"""
                <tr><td style="padding:16px 32px 4px;font-size:18px;font-weight:bold;color:#1a1a1a">{title}</td></tr>
                <tr><td style="padding:0 32px 8px;font-size:15px;line-height:22px">{body} {body}</td></tr>
                <tr><td style="padding:0 32px 16px"><a href="https://shop.bench.example/{slug}" style="display:inline-block;padding:10px 18px;background:#2a6df4;color:#ffffff;text-decoration:none;border-radius:4px;font-size:15px">Read more</a></td></tr>

                """);
        }
        return html.Append("""
            <tr><td style="padding:16px 32px 24px;font-size:13px;line-height:19px;color:#777777">See you soon,<br>the Tagflow bench shop</td></tr>
            </table></td></tr></table></body></html>
            """).ToString();
    }
}
