namespace Tagflow.Bounces;

/// <summary>What came back for an email: it could not be delivered for good, for now, or its recipient called it spam.</summary>
internal enum BounceKind { Hard, Soft, Complaint }

/// <summary>
/// One bounce or complaint recorded for a contact, keyed by the email it came back for, so that the
/// same report received twice counts once; soft bounces are counted from these rows. They are about
/// the contact's current address: a change of address deletes them (and a contact's erasure), and
/// housekeeping past their retention (<see cref="Housekeeping.Retention.BounceDays"/>), while the contact's bounce status stays.
/// </summary>
internal sealed class Bounce
{
    public const int MaxStatus = 16;
    public const int MaxDiagnostic = 250;

    public long Id { get; set; }
    public long AccountId { get; set; }
    public long ContactId { get; set; }
    /// <summary>The random id of the email in its bounce address (<see cref="BounceToken.EmailId"/>).</summary>
    public required string EmailId { get; set; }
    public BounceKind Kind { get; set; }
    /// <summary>The enhanced status code the report gave (<c>5.1.1</c>), or the feedback type of a complaint (<c>abuse</c>).</summary>
    public string Status { get; set; } = "";
    /// <summary>What the receiving server said, cut short: it may name the address, so it goes with the contact.</summary>
    public string Diagnostic { get; set; } = "";
    public DateTime At { get; set; }
}
