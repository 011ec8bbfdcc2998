using System.Text.RegularExpressions;
using Tagflow.Fields;

namespace Tagflow.OptIns;

/// <summary>
/// The templates of an opt-in process's confirmation email. Placeholders are written
/// <c>{{confirm_url}}</c> (the link the contact opens to confirm), <c>{{email}}</c> and any data
/// field's key, e.g. <c>{{fieldFirstName}}</c> or <c>{{field12}}</c>.
/// </summary>
internal static partial class ConfirmationTemplate
{
    public const string ConfirmUrl = "confirm_url";

    public const string DefaultSubject = "Please confirm your subscription";

    public const string DefaultText =
        "Hello,\n\nplease confirm your subscription by opening this link:\n\n{{confirm_url}}\n\n" +
        "If you did not ask for this, ignore this email: without your click nothing happens.\n";

    public const string DefaultHtml =
        "<p>Hello,</p>\n<p>please confirm your subscription:</p>\n<p><a href=\"{{confirm_url}}\">Yes, subscribe me</a></p>\n" +
        "<p>If you did not ask for this, ignore this email: without your click nothing happens.</p>\n";

    /// <summary>The placeholders a template uses, in order of first use.</summary>
    public static IEnumerable<string> Placeholders(string template) =>
        Placeholder().Matches(template).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Null if a template is usable for the account's fields, or a sentence saying what is wrong:
    /// an unknown placeholder, or (for a double opt-in) no confirmation link.
    /// </summary>
    public static string? Problem(string key, string template, FieldCatalog fields, bool needsLink) =>
        UnknownPlaceholder(key, template, fields, ConfirmUrl)
        ?? (needsLink && !Placeholders(template).Contains(ConfirmUrl)
            ? $"The key \"{key}\" must contain {{{{confirm_url}}}}: the link with which the contact confirms."
            : null);

    /// <summary>
    /// A sentence naming the first placeholder of a template that is neither <paramref name="link"/>
    /// (the email's own link: <c>confirm_url</c>, <c>unsubscribe_url</c>), <c>email</c> nor a data
    /// field's key; null if there is none. For confirmation and campaign emails alike.
    /// </summary>
    public static string? UnknownPlaceholder(string key, string template, FieldCatalog fields, string link)
    {
        foreach (var name in Placeholders(template))
            if (name != link && name != "email" && (fields.Find(name) is null || !name.StartsWith("field", StringComparison.Ordinal)))
                return $"The key \"{key}\" uses the placeholder {{{{{name}}}}}, which is neither {{{{{link}}}}}, {{{{email}}}} nor a data field's key (GET /field lists them).";
        return null;
    }

    /// <summary>The template with each placeholder replaced by its value.</summary>
    public static string Fill(string template, Func<string, string> value) =>
        Placeholder().Replace(template, m => value(m.Groups[1].Value));

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
