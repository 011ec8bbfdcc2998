using System.Text.RegularExpressions;
using Tagflow.OptIns;
using Tagflow.Wire;

namespace Tagflow.App;

/// <summary>
/// The process page's form as sent: by the page itself (save, preview, test email) and by its
/// script to the live preview. Each input's name is its property's name.
/// </summary>
internal sealed partial record OptInForm(
    string? Name, string? OptIn, string? PendingUrl, string? ThankYouUrl, string? Resend, string? ChangeEmail,
    string? SenderName, string? SenderAddress, string? Subject, string? Text, string? Html)
{
    public const string Single = "single";
    public const string Double = "double";
    public const string Yes = "yes";

    public static OptInForm Read(IFormCollection form)
    {
        string? Value(string key) => form.TryGetValue(key, out var value) ? value.ToString() : null;
        return new(Value(nameof(Name)), Value(nameof(OptIn)), Value(nameof(PendingUrl)), Value(nameof(ThankYouUrl)), Value(nameof(Resend)),
            Value(nameof(ChangeEmail)), Value(nameof(SenderName)), Value(nameof(SenderAddress)), Value(nameof(Subject)), Value(nameof(Text)), Value(nameof(Html)));
    }

    /// <summary>
    /// The settings to hand to <see cref="OptInProcessAdmin"/>: every one the form holds, an unticked
    /// box as "no" (a browser sends nothing for it). The predefined process has no name and no choice
    /// of single opt-in. A browser sends a text area's lines ended by CR LF; stored as the API stores them.
    /// </summary>
    public ProcessSettings Settings(bool predefined) => new(
        Name: predefined ? null : Name ?? "",
        UseSingleOptIn: predefined ? null : OptIn == Single,
        PendingUrl: PendingUrl ?? "",
        ThankYouUrl: ThankYouUrl ?? "",
        ResendConfirmationEmail: Resend == Yes,
        UseChangeEmail: ChangeEmail == Yes,
        SenderName: SenderName ?? "",
        SenderAddress: SenderAddress ?? "",
        Subject: Subject ?? "",
        Text: Lines(Text),
        Html: Lines(Html));

    /// <summary>The form as a stored process shows it.</summary>
    public static OptInForm Of(OptInProcess p) => new(p.Name, p.UseSingleOptIn ? Single : Double, p.PendingUrl, p.ThankYouUrl,
        p.ResendConfirmationEmail ? Yes : null, p.UseChangeEmail ? Yes : null, p.SenderName, p.SenderAddress, p.Subject, p.TextTemplate, p.HtmlTemplate);

    /// <summary>
    /// The input a refusal of the shared rules is about, to show it beside that input: the API's
    /// sentences name the key they refuse (<c>The key "thankyouurl" …</c>); null for the form as a whole.
    /// </summary>
    public static string? InputOf(Refusal refusal)
    {
        if (refusal.Error == WireErrors.ProcessNameTaken) return nameof(Name);
        if (refusal.Error == WireErrors.PredefinedProcess) return null;
        return RefusedKey().Match(refusal.Message) is { Success: true } match
            ? match.Groups[1].Value switch
            {
                "name" => nameof(Name),
                "pendingurl" => nameof(PendingUrl),
                "thankyouurl" => nameof(ThankYouUrl),
                "sendername" => nameof(SenderName),
                "senderaddress" => nameof(SenderAddress),
                "subject" => nameof(Subject),
                "text" => nameof(Text),
                "html" => nameof(Html),
                _ => null,
            }
            : null;
    }

    private static string Lines(string? text) => text?.ReplaceLineEndings("\n") ?? "";

    [GeneratedRegex("^The key \"([a-z]+)\"")]
    private static partial Regex RefusedKey();
}
