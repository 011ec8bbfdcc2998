namespace Tagflow.Events;

/// <summary>
/// One change to a contact, written in the same transaction as the change. It carries ids and field
/// keys only, never values, so it keeps no personal data once the contact is erased.
/// </summary>
internal sealed class ContactEvent
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string Type { get; set; }
    public long ContactId { get; set; }
    public long? TagId { get; set; }
    /// <summary>For <c>contact.updated</c>: the changed keys, comma-separated.</summary>
    public string? Fields { get; set; }
    public DateTime OccurredAt { get; set; }
    /// <summary>
    /// Written by an import told to start no automations: the event feed shows it, the automation
    /// engine passes over it (no campaign starts, no webhook is called).
    /// </summary>
    public bool SkipsAutomations { get; set; }
}

internal static class EventTypes
{
    public const string ContactCreated = "contact.created";
    public const string ContactUpdated = "contact.updated";
    public const string ContactSubscribed = "contact.subscribed";
    public const string ContactUnsubscribed = "contact.unsubscribed";
    public const string ContactDeleted = "contact.deleted";
    public const string TagAdded = "tag.added";
    public const string TagRemoved = "tag.removed";
    /// <summary>An email came back for the contact: <c>fields</c> holds <c>hard</c>, <c>soft</c> or <c>spam</c> (a complaint).</summary>
    public const string ContactBounced = "contact.bounced";
    /// <summary>
    /// A campaign's email step passed over a contact: <c>fields</c> holds <c>campaign:ID</c>,
    /// <c>step:INDEX</c> and why: <c>bounce:hard</c> or <c>bounce:spam</c> (a hard-bounced or
    /// complaining contact), or <c>template</c> (the step's template could not be filled for it).
    /// </summary>
    public const string EmailSkipped = "email.skipped";
}
