using System.Globalization;
using System.Text.RegularExpressions;
using Fluid;

namespace Tagflow.Delivery;

/// <summary>
/// What an email's templates can reach: the contact's address, its field values by key
/// (<c>fieldFirstName</c>, <c>field12</c>, in any case), the names of its tags, and the email's own
/// link (<c>confirm_url</c>, <c>unsubscribe_url</c>). Dates are shown in the account's zone; "now"
/// is the time the email is made.
/// </summary>
internal sealed record TemplateData(
    string Email,
    IReadOnlyDictionary<string, string> Fields,
    IReadOnlyCollection<string> Tags,
    (string Name, string Url) Link,
    TimeZoneInfo Zone,
    DateTimeOffset Now);

/// <summary>A template that could not be filled for a contact: its message says why, for the owner.</summary>
internal sealed class TemplateFailedException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Subjects and bodies of emails as Liquid templates (Fluid): <c>{{ fieldFirstName | default: "there" }}</c>,
/// <c>{% if tags contains "VIP" %}</c>, <c>{{ "now" | date: "%d.%m.%Y" }}</c> in the account's zone.
/// A template is parsed once per text and kept (thread-safe); a template reaches only the values of
/// <see cref="TemplateData"/>, all strings and lists of strings, never a .NET object's members.
/// </summary>
internal static partial class MailTemplate
{
    /// <summary>Templates differ per step and process, not per contact; past this many, the cache starts over (previews parse every keystroke).</summary>
    private const int CacheLimit = 2_000;

    private static readonly FluidParser Parser = new();

    private static readonly TemplateOptions Options = new TemplateOptionsBuilder()
        .WithModelNamesComparer(StringComparer.OrdinalIgnoreCase)
        // A loop in a template cannot hold up the sender for long, nor fill its memory.
        .WithMaxSteps(100_000)
        .WithMaxOutputSize(4_000_000)
        .Build();

    private static readonly TextCache<Parsed> Cache = new(CacheLimit);

    /// <summary>A parsed template, or the error that made it unusable.</summary>
    private sealed record Parsed(IFluidTemplate? Template, string? Error);

    /// <summary>Null if the template is valid Liquid, else the first error with its line: <c>line 3: '{% endif %}' was expected</c>.</summary>
    public static string? Problem(string template) => Parse(template).Error;

    /// <summary>
    /// The template filled for one contact; throws <see cref="TemplateFailedException"/> when it runs past its limits. Values are HTML-encoded in an HTML body, as
    /// <see cref="System.Net.WebUtility.HtmlEncode(string)"/> does, and as they were before templates were Liquid.
    /// A template stored before then that is not valid Liquid is filled as it was then: its
    /// <c>{{name}}</c> placeholders replaced, nothing else.
    /// </summary>
    public static string Render(string template, TemplateData data, bool html)
    {
        if (template.Length == 0) return "";
        var parsed = Parse(template);
        if (parsed.Template is null) return FillPlaceholders(template, name => Encode(Value(data, name), html));
        var context = new TemplateContext(Options, StringComparer.OrdinalIgnoreCase) { TimeZone = data.Zone, Now = () => data.Now };
        foreach (var (key, value) in data.Fields) context.SetValue(key, value);
        context.SetValue("email", data.Email);
        context.SetValue(data.Link.Name, data.Link.Url);
        context.SetValue("tags", data.Tags.ToArray());
        try
        {
            return parsed.Template.Render(context, html ? WebUtilityHtmlEncoder.Instance : NullEncoder.Default);
        }
        catch (InvalidOperationException e)
        {
            // Fluid's limits (steps, output, recursion): a loop that does not end, or not soon enough for this contact's values.
            throw new TemplateFailedException($"The template ran past its limits ({e.Message.TrimEnd('.')}): a loop that does not end, "
                + "or runs too long for this contact's values.", e);
        }
    }

    /// <summary>The template with each <c>{{name}}</c> placeholder replaced: how templates were filled before Liquid.</summary>
    public static string FillPlaceholders(string template, Func<string, string> value) =>
        Placeholder().Replace(template, m => value(m.Groups[1].Value));

    /// <summary>
    /// The template with the variables <paramref name="rename"/> names anew (it answers null for the rest)
    /// renamed wherever Liquid reads them: <c>{{ key }}</c>, <c>{{ key | upcase }}</c>, <c>{% if key == "x" %}</c>,
    /// <c>{% for i in (1..key) %}</c>, as arguments of filters; never in quoted text, as a filter's or
    /// a member's name (<c>| key</c>, <c>x.key</c>), or outside <c>{{ }}</c> and <c>{% %}</c>. Names are
    /// matched as templates read them when <paramref name="rename"/> ignores case. How an account migration renames fields in templates.
    /// </summary>
    public static string RenameVariables(string template, Func<string, string?> rename) =>
        Markup().Replace(template, tag => Token().Replace(tag.Value, token =>
        {
            if (!token.Groups["name"].Success) return token.Value; // quoted text
            var before = tag.Value.AsSpan(0, token.Index).TrimEnd();
            var member = before.EndsWith(".") && !before.EndsWith("..");
            return member || before.EndsWith("|") || rename(token.Value) is not { } renamed ? token.Value : renamed;
        }));

    /// <summary>Whether a template uses a variable as an output, <c>{{ name }}</c> or <c>{{ name | filter }}</c>.</summary>
    public static bool Outputs(string template, string name) =>
        Output().Matches(template).Any(m => m.Groups[1].Value.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static Parsed Parse(string template) => Cache.Get(template, static t =>
        Parser.TryParse(t, out var fluid, out var error) ? new Parsed(fluid, null) : new Parsed(null, Described(error, t)));

    /// <summary>Fluid's "… at (3:7)\nSource: …" as "line 3: …"; a block left open is found at the template's end, and said so.</summary>
    private static string Described(string error, string template)
    {
        var first = error.Split('\n', 2)[0].Trim();
        if (ErrorAt().Match(first) is not { Success: true } m) return first;
        var (line, column) = (int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        var lines = template.Split('\n');
        var atEnd = line == lines.Length && column > lines[^1].TrimEnd('\r').Length;
        return $"line {line}{(atEnd ? " (the end of the template)" : "")}: {m.Groups[1].Value}";
    }

    private static string Value(TemplateData data, string name) =>
        name.Equals(data.Link.Name, StringComparison.OrdinalIgnoreCase) ? data.Link.Url
        : name.Equals("email", StringComparison.OrdinalIgnoreCase) ? data.Email
        : data.Fields.FirstOrDefault(f => f.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value ?? "";

    private static string Encode(string value, bool html) => html ? System.Net.WebUtility.HtmlEncode(value) : value;

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>A Liquid output or tag, <c>{{ … }}</c> or <c>{% … %}</c>.</summary>
    [GeneratedRegex(@"\{\{.*?\}\}|\{%.*?%\}", RegexOptions.Singleline)]
    private static partial Regex Markup();

    /// <summary>Inside one: quoted text, or a name.</summary>
    [GeneratedRegex(@"""[^""]*""|'[^']*'|(?<name>\b[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Token();

    [GeneratedRegex(@"\{\{-?\s*([A-Za-z0-9_]+)\s*(?:\||-?\}\})")]
    private static partial Regex Output();

    [GeneratedRegex(@"^(.*?)\s*at \((\d+):(\d+)\)$")]
    private static partial Regex ErrorAt();
}
