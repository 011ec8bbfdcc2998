namespace Tagflow.Client;

/// <summary>What <see cref="ContactService.AddOrUpdateAsync"/> sends: an email address and/or SMS number, and optionally fields, an opt-in process and a tag.</summary>
public sealed class ContactAddOrUpdateOptions
{
    /// <summary>The email address; it identifies the contact to update. Either this or <see cref="SmsNumber"/> is required.</summary>
    public string? Email { get; set; }

    /// <summary>The SMS number (<c>+49…</c> or <c>0049…</c>). Either this or <see cref="Email"/> is required.</summary>
    public string? SmsNumber { get; set; }

    /// <summary>
    /// The opt-in process (<c>listid</c>). When <see langword="null"/>, the predefined double opt-in process
    /// runs, which may send the contact a confirmation email.
    /// </summary>
    public long? OptInProcessId { get; set; }

    /// <summary>A tag to assign (<c>tagid</c>).</summary>
    public long? TagId { get; set; }

    /// <summary>Data field values to set.</summary>
    public FieldValues? Fields { get; set; }
}

/// <summary>What <see cref="ContactService.UpdateAsync"/> changes; what stays <see langword="null"/> is left as it is.</summary>
public sealed class ContactUpdateOptions
{
    /// <summary>Data field values to set (an empty string clears a field).</summary>
    public FieldValues? Fields { get; set; }

    /// <summary>A new email address (<c>newemail</c>).</summary>
    public string? NewEmail { get; set; }

    /// <summary>A new SMS number (<c>newsmsnumber</c>).</summary>
    public string? NewSmsNumber { get; set; }
}

/// <summary>
/// Chooses the contacts <see cref="ContactService.ListAsync"/> and <see cref="ContactService.TaggedAsync"/>
/// list. What is left empty keeps the server's default, KlickTipp's: Subscribed contacts only, and
/// none that hard-bounced. <see cref="Everyone"/> lists every contact.
/// </summary>
public sealed class ContactFilter
{
    /// <summary>Every contact, whatever its subscription and bounce status.</summary>
    public static ContactFilter Everyone { get; } = new()
    {
        Statuses = [ContactStatus.OptInPending, ContactStatus.Subscribed, ContactStatus.Unsubscribed],
        BounceStatuses = [BounceStatus.NotBounced, BounceStatus.SoftBounce, BounceStatus.HardBounce, BounceStatus.SpamBounce],
    };

    /// <summary>Only contacts with one of these subscription statuses; when empty, Subscribed contacts only.</summary>
    public IReadOnlyCollection<ContactStatus> Statuses { get; init; } = [];

    /// <summary>Only contacts with one of these bounce statuses; when empty, all but hard-bounced ones.</summary>
    public IReadOnlyCollection<BounceStatus> BounceStatuses { get; init; } = [];
}

/// <summary>A contact that carries a tag, and when it was tagged.</summary>
/// <param name="ContactId">The contact id.</param>
/// <param name="TaggedAt">When the tag was assigned.</param>
public sealed record TaggedContact(long ContactId, DateTimeOffset TaggedAt);
