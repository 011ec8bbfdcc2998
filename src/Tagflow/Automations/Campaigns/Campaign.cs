namespace Tagflow.Automations;

/// <summary>
/// A follow-up campaign: a contact that is subscribed and gets the start tag runs through the steps
/// once, in order. The steps are stored as JSON (<see cref="CampaignSteps"/>); a run keeps its
/// place by index, so editing a campaign applies to where each running contact stands.
/// </summary>
internal sealed class Campaign
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string Name { get; set; }
    /// <summary>Lower-case name: campaign names are unique per account regardless of case.</summary>
    public required string NormalizedName { get; set; }
    /// <summary>The manual tag or SmartTag that starts the campaign.</summary>
    public long TagId { get; set; }
    /// <summary>
    /// The account's last event when the campaign got its start tag: only later taggings start it, so
    /// contacts tagged long ago do not all enter a campaign made today.
    /// </summary>
    public long FromEventId { get; set; }
    /// <summary>The steps as JSON, see <see cref="CampaignSteps"/>.</summary>
    public required string Steps { get; set; }
    public string SenderName { get; set; } = "";
    public string SenderAddress { get; set; } = "";
    /// <summary>
    /// Since when the campaign is paused; null while it runs. A paused campaign sends nothing and runs
    /// no step: its contacts stay where they stand (new ones enter at the first step) until it is resumed,
    /// when the steps that fell due meanwhile run at once.
    /// </summary>
    public DateTime? PausedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();
}

internal enum RunState
{
    /// <summary>The contact waits for <see cref="CampaignRun.DueAt"/>, when its next step runs.</summary>
    Running,
    /// <summary>Every step ran.</summary>
    Finished,
    /// <summary>Stopped before the end: the start tag was removed, or the contact unsubscribed.</summary>
    Stopped,
}

/// <summary>One contact's way through a campaign; a contact has at most one per campaign, so it enters once.</summary>
internal sealed class CampaignRun
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long CampaignId { get; set; }
    public long ContactId { get; set; }
    /// <summary>The index of the next step to run.</summary>
    public int Step { get; set; }
    public RunState State { get; set; }
    /// <summary>When the next step is due (UTC).</summary>
    public DateTime DueAt { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    /// <summary>Why a run stopped: <c>untagged</c>, <c>unsubscribed</c>.</summary>
    public string? StopReason { get; set; }
    /// <summary>
    /// The campaign's own untag step removed its start tag (a common last step): the run goes on
    /// without it, where removing the tag from outside stops it.
    /// </summary>
    public bool StartTagRemovedBySelf { get; set; }
}

/// <summary>How far the automation engine has read an account's event feed (events commit in order per account).</summary>
internal sealed class AutomationCursor
{
    public long AccountId { get; set; }
    public long LastEventId { get; set; }
}

/// <summary>
/// An email a campaign sent to a contact: the key of <c>emails_sent</c>, <c>emails_opened</c> and
/// <c>emails_clicked</c>, and the target of its tracking and unsubscribe links (by the token's hash).
/// </summary>
internal sealed class SentEmail
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long ContactId { get; set; }
    /// <summary>Null once the campaign is deleted: the email's unsubscribe link must go on working.</summary>
    public long? CampaignId { get; set; }
    public int Step { get; set; }
    /// <summary>SHA-256 of the token in the email's links.</summary>
    public required string TokenHash { get; set; }
    /// <summary>The message's Message-ID: the same on every retry of its delivery, so a receiver can tell a repeat.</summary>
    public required string MessageId { get; set; }
    /// <summary>The URLs the email links to, as a JSON list: a click link leads only to one of these.</summary>
    public required string Links { get; set; }
    public DateTime SentAt { get; set; }
    public DateTime? OpenedAt { get; set; }
    public DateTime? ClickedAt { get; set; }
}

/// <summary>
/// A campaign email step that passed over a contact, and why (<see cref="SkippedEmail.Reasons"/>): the
/// campaigns page counts them per step beside the emails sent, as long as the sent emails are kept.
/// The contact's run goes on with the next step.
/// </summary>
internal sealed class SkippedEmail
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long ContactId { get; set; }
    public long CampaignId { get; set; }
    public int Step { get; set; }
    /// <summary>One of <see cref="Reasons"/>.</summary>
    public required string Reason { get; set; }
    public DateTime At { get; set; }

    internal static class Reasons
    {
        /// <summary>The address bounced for good: a hard bounce, or enough soft ones.</summary>
        public const string HardBounce = "bounce:hard";
        /// <summary>The contact complained (marked an email as spam).</summary>
        public const string Complaint = "bounce:spam";
        /// <summary>The step's template could not be filled for the contact (<see cref="Delivery.TemplateFailedException"/>).</summary>
        public const string Template = "template";
    }
}
