namespace Tagflow.OptIns;

/// <summary>An opt-in process ("list" on the wire): how a contact comes to be subscribed.</summary>
internal sealed class OptInProcess
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    /// <summary>Empty for the predefined process, as KlickTipp has it.</summary>
    public string Name { get; set; } = "";
    /// <summary>Lower-case name: process names are unique per account regardless of case.</summary>
    public string NormalizedName { get; set; } = "";
    public bool IsPredefined { get; set; }
    public bool UseSingleOptIn { get; set; }
    public string PendingUrl { get; set; } = "";
    public string ThankYouUrl { get; set; } = "";
    public bool ResendConfirmationEmail { get; set; }
    public bool UseChangeEmail { get; set; }
    /// <summary>The confirmation email's sender; an empty address means the account's own.</summary>
    public string SenderName { get; set; } = "";
    public string SenderAddress { get; set; } = "";
    /// <summary>The confirmation email: subject, text and HTML templates (see <see cref="ConfirmationTemplate"/>).</summary>
    public string Subject { get; set; } = ConfirmationTemplate.DefaultSubject;
    public string TextTemplate { get; set; } = ConfirmationTemplate.DefaultText;
    public string HtmlTemplate { get; set; } = ConfirmationTemplate.DefaultHtml;
    public DateTime CreatedAt { get; set; }

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    public static OptInProcess Predefined(long accountId, DateTime now) => new()
    {
        AccountId = accountId,
        Name = "",
        IsPredefined = true,
        UseSingleOptIn = false,
        CreatedAt = now,
    };
}
