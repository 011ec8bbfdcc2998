namespace Tagflow.Delivery;

/// <summary>
/// An email the SMTP relay refused for good, or that waited too long or could not be sent at all, and
/// that the queue therefore dropped: kept so that the account's owner sees it (the dashboard), not
/// only the server's log. Removed with the sent campaign emails' retention.
/// </summary>
internal sealed class MailFailure
{
    public const int MaxReason = 500;

    public long Id { get; set; }
    /// <summary>The account whose email it was; null for a message stored before outbox rows kept their account.</summary>
    public long? AccountId { get; set; }
    /// <summary>The address it was for (empty when the message could not be read).</summary>
    public required string Recipient { get; set; }
    public required string Subject { get; set; }
    /// <summary>What the relay answered, or why the queue gave up.</summary>
    public required string Reason { get; set; }
    public DateTime At { get; set; }
}
