using Tagflow.Delivery;

namespace Tagflow.OptIns;

/// <summary>
/// The templates of an opt-in process's confirmation email: Liquid (see <see cref="MailTemplate"/>),
/// with <c>{{confirm_url}}</c> (the link the contact opens to confirm), <c>{{email}}</c> and any data
/// field's key, e.g. <c>{{fieldFirstName}}</c> or <c>{{field12}}</c>.
/// </summary>
internal static class ConfirmationTemplate
{
    public const string ConfirmUrl = "confirm_url";

    public const string DefaultSubject = "Please confirm your subscription";

    public const string DefaultText =
        "Hello,\n\nplease confirm your subscription by opening this link:\n\n{{confirm_url}}\n\n" +
        "If you did not ask for this, ignore this email: without your click nothing happens.\n";

    public const string DefaultHtml =
        "<p>Hello,</p>\n<p>please confirm your subscription:</p>\n<p><a href=\"{{confirm_url}}\">Yes, subscribe me</a></p>\n" +
        "<p>If you did not ask for this, ignore this email: without your click nothing happens.</p>\n";

    /// <summary>
    /// Null if a template is usable, or a sentence saying what is wrong: a Liquid error (with its
    /// line), or (for a double opt-in) no confirmation link.
    /// </summary>
    public static string? Problem(string key, string template, bool needsLink) =>
        SyntaxProblem(key, template)
        ?? (needsLink && !MailTemplate.Outputs(template, ConfirmUrl)
            ? $"The key \"{key}\" must contain {{{{confirm_url}}}}: the link with which the contact confirms."
            : null);

    /// <summary>A sentence naming the key and line of a template's Liquid error; null if it has none. For confirmation and campaign emails alike.</summary>
    public static string? SyntaxProblem(string key, string template) =>
        MailTemplate.Problem(template) is { } error ? $"The key \"{key}\" is not a valid template: {error}." : null;
}
