using System.Net;
using Tagflow.Delivery;
using Tagflow.OptIns;

namespace Tagflow.Tests.Delivery;

/// <summary>
/// Email templates are Liquid: the placeholders of before fill exactly as they did, and filters,
/// conditions on fields and tags, dates in the account's zone and line-numbered errors come on top.
/// </summary>
public sealed class MailTemplateTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>3 December 2026, 23:30 UTC: already the 4th in Berlin.</summary>
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 23, 30, 0, TimeSpan.Zero);

    private static TemplateData Data(Dictionary<string, string>? fields = null, string[]? tags = null, TimeZoneInfo? zone = null) => new(
        "jürgen+news@example.com",
        fields ?? new() { ["fieldFirstName"] = "Jürgen <b>\"J\" & 'Co'</b> 😀", ["fieldCity"] = "Köln", ["field12"] = "1700000000" },
        tags ?? ["VIP", "Buyer"],
        (ConfirmationTemplate.ConfirmUrl, "https://tagflow.example/optin/abc?x=1&y=2"),
        zone ?? Berlin,
        Now);

    /// <summary>How a placeholder was filled before templates were Liquid (the code this replaced).</summary>
    private static string Before(string template, TemplateData data, bool html) => MailTemplate.FillPlaceholders(template, name =>
    {
        var value = name == data.Link.Name ? data.Link.Url
            : name == "email" ? data.Email
            : data.Fields.FirstOrDefault(f => f.Key.Equals(name.StartsWith("field", StringComparison.OrdinalIgnoreCase) ? name : "field" + name,
                StringComparison.OrdinalIgnoreCase)).Value ?? "";
        return html ? WebUtility.HtmlEncode(value) : value;
    });

    public static TheoryData<string> OldTemplates =>
    [
        ConfirmationTemplate.DefaultSubject,
        ConfirmationTemplate.DefaultText,
        ConfirmationTemplate.DefaultHtml,
        "Hi {{fieldFirstName}}",
        "Hello {{ fieldFirstName }} from {{fieldCity}},\n\nconfirm: {{confirm_url}}\n{{email}}\n",
        "<p>Hello {{fieldFirstName}} ({{email}})</p>\n<p><a href=\"{{confirm_url}}\">Yes</a> {{fieldfirstname}} {{field12}}</p>",
        "{{fieldLastName}}{{field99}} and {single} braces, { {spaced} }, 100% & <b>bold</b> – ü",
        "Ünïcödé {{ email }} 😀 {{fieldCity}}\r\nWindows line\r\n",
    ];

    [Theory]
    [MemberData(nameof(OldTemplates))]
    public void PlaceholderTemplatesOfBeforeRenderExactlyAsBefore(string template)
    {
        var data = Data();
        Assert.Equal(Before(template, data, html: false), MailTemplate.Render(template, data, html: false));
        Assert.Equal(Before(template, data, html: true), MailTemplate.Render(template, data, html: true));
    }

    [Fact]
    public void ATemplateStoredBeforeLiquidThatIsNotLiquidIsFilledAsBefore()
    {
        const string template = "Hello {{fieldFirstName}}, 50% off {% today only";
        Assert.NotNull(MailTemplate.Problem(template));
        Assert.Equal("Hello Anna, 50% off {% today only", MailTemplate.Render(template, Data(new() { ["fieldFirstName"] = "Anna" }), html: false));
    }

    [Fact]
    public void TheDefaultFilterFillsAnEmptyOrMissingField()
    {
        const string template = """Hi {{ fieldFirstName | default: "there" }}!""";
        Assert.Equal("Hi there!", MailTemplate.Render(template, Data(new() { ["fieldFirstName"] = "" }), html: false));
        Assert.Equal("Hi there!", MailTemplate.Render(template, Data([]), html: false));
        Assert.Equal("Hi Anna!", MailTemplate.Render(template, Data(new() { ["fieldFirstName"] = "Anna" }), html: false));
    }

    [Fact]
    public void ConditionsSeeTheContactsFieldsAndTags()
    {
        const string template = """{% if tags contains "VIP" %}VIP{% else %}regular{% endif %}, {% if fieldCity == "Köln" %}Cologne{% elsif fieldCity != blank %}elsewhere{% endif %}, {{ tags | join: "+" }}""";
        Assert.Equal("VIP, Cologne, VIP+Buyer", MailTemplate.Render(template, Data(), html: false));
        Assert.Equal("regular, elsewhere, Lead", MailTemplate.Render(template, Data(new() { ["fieldCity"] = "Bonn" }, ["Lead"]), html: false));
        Assert.Equal("regular, , ", MailTemplate.Render(template, Data([], []), html: false));
    }

    [Fact]
    public void DatesAreShownInTheAccountsZone()
    {
        // "now" is the time the email is made; field12 holds a date field's stored value (Unix seconds: 14 Nov 2023 22:13:20 UTC).
        const string template = """{{ "now" | date: "%d.%m.%Y %H:%M" }} / {{ field12 | date: "%d.%m.%Y %H:%M" }}""";
        Assert.Equal("04.12.2026 00:30 / 14.11.2023 23:13", MailTemplate.Render(template, Data(), html: false));
        Assert.Equal("03.12.2026 23:30 / 14.11.2023 22:13", MailTemplate.Render(template, Data(zone: TimeZoneInfo.Utc), html: false));
    }

    [Fact]
    public void HtmlBodiesEncodeTheValuesAndTextBodiesDoNot()
    {
        var data = Data(new() { ["fieldFirstName"] = "<script>alert('x')</script>\"&" });
        const string template = """<p title="{{ fieldFirstName }}">{{ fieldFirstName | upcase }}</p>""";
        Assert.Equal("<p title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;\">&lt;SCRIPT&gt;ALERT(&#39;X&#39;)&lt;/SCRIPT&gt;&quot;&amp;</p>",
            MailTemplate.Render(template, data, html: true));
        Assert.Equal("<p title=\"<script>alert('x')</script>\"&\"><SCRIPT>ALERT('X')</SCRIPT>\"&</p>", MailTemplate.Render(template, data, html: false));
    }

    [Fact]
    public void UnknownVariablesRenderEmpty() =>
        Assert.Equal("Hi , !", MailTemplate.Render("Hi {{ nickname }}, {{ fieldNope | upcase }}!", Data(), html: false));

    [Fact]
    public void TemplatesReachNoMembersOfTheirValues() =>
        // Liquid's own size, but not .NET's Length or GetType of the string behind it.
        Assert.Equal("23||", MailTemplate.Render("{{ email.size }}|{{ email.Length }}|{{ email.GetType }}", Data(), html: false));

    [Theory]
    [InlineData("Hello\n{% if fieldFirstName %}\nno end", "line 3 (the end of the template): '{% endif %}' was expected")]
    [InlineData("a\n{% if fieldFirstName %}\nb\n{% endfor %}\nc", "line 4: ")]
    [InlineData("a\nb\nc\n{{ fieldFirstName | }}", "line 4: ")]
    [InlineData("{% endif %}", "line 1: ")]
    [InlineData("one\n{{ email }", "line 2: ")]
    public void SyntaxErrorsNameTheirLine(string template, string start)
    {
        var problem = MailTemplate.Problem(template);
        Assert.NotNull(problem);
        Assert.StartsWith(start, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Source", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AValidTemplateHasNoProblem() =>
        Assert.Null(MailTemplate.Problem("""{% if tags contains "VIP" %}{{ fieldFirstName | default: "there" }}{% endif %}"""));

    [Fact]
    public void AnEndlessLoopIsStoppedNotRunForever()
    {
        var problem = Record.Exception(() => MailTemplate.Render("{% for i in (1..100000000) %}x{% endfor %}", Data(), html: false));
        Assert.NotNull(problem);
    }

    [Fact]
    public void ALoopPastTheLimitsFailsWithASentenceForTheOwner()
    {
        var failed = Assert.Throws<TemplateFailedException>(() => MailTemplate.Render(App.CampaignPagesTests.Runaway, Data(), html: false));

        Assert.StartsWith("The template ran past its limits (", failed.Message, StringComparison.Ordinal);
        Assert.EndsWith("a loop that does not end, or runs too long for this contact's values.", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenamingVariablesReachesEveryPlaceLiquidReadsThemAndNothingElse()
    {
        const string template = """
            Hi {{field7}} and {{ Field7 | upcase }}, {{- field7 -}}{% if field7 == "field7" %}yes{% elsif field8 > 3 and field7 %}{% endif %}
            {{ field9 | default: field7 | append: 'field7' }} {% for i in (1..field7) %}{{ forloop.index }}{% endfor %}{% assign x = field7 %}
            {{ x.field7 }} {{ field7s }} field7 {field7} {% comment %}{% endcomment %} {{ email }} {{ field7 | field7 }}
            """;
        var renamed = MailTemplate.RenameVariables(template, name => name.Equals("field7", StringComparison.OrdinalIgnoreCase) ? "field12"
            : name.Equals("field9", StringComparison.OrdinalIgnoreCase) ? "field13" : null);

        Assert.Equal("""
            Hi {{field12}} and {{ field12 | upcase }}, {{- field12 -}}{% if field12 == "field7" %}yes{% elsif field8 > 3 and field12 %}{% endif %}
            {{ field13 | default: field12 | append: 'field7' }} {% for i in (1..field12) %}{{ forloop.index }}{% endfor %}{% assign x = field12 %}
            {{ x.field7 }} {{ field7s }} field7 {field7} {% comment %}{% endcomment %} {{ email }} {{ field12 | field7 }}
            """, renamed);
        // What the template says for a contact is what the renamed one says with the values under their new keys.
        var before = Data(new() { ["field7"] = "3", ["field9"] = "" });
        var after = Data(new() { ["field12"] = "3", ["field13"] = "" });
        Assert.Equal(MailTemplate.Render(template.Replace("{{ field7 | field7 }}", "", StringComparison.Ordinal), before, html: false),
            MailTemplate.Render(renamed.Replace("{{ field12 | field7 }}", "", StringComparison.Ordinal), after, html: false));
    }
}
