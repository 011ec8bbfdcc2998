namespace Tagflow.Contacts;

internal enum ContactStatus { Pending, Subscribed, Unsubscribed }

internal enum BounceStatus { None, Soft, Hard, Spam }

/// <summary>
/// A contact of an account. Data field values live in <see cref="ContactField"/> rows and taggings in
/// <see cref="ContactTag"/> rows, so adding a data field or a tag never rewrites this table.
/// </summary>
internal sealed class Contact
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    /// <summary>The address as the contact gave it (trimmed).</summary>
    public string? Email { get; set; }
    /// <summary>The matching key: lower case, the domain in its ASCII (punycode) form; unique per account.</summary>
    public string? NormalizedEmail { get; set; }
    /// <summary><c>00&lt;country&gt;&lt;number&gt;</c>; unique per account.</summary>
    public string? SmsPhone { get; set; }
    /// <summary>The opt-in process the contact came through.</summary>
    public long ListId { get; set; }
    public ContactStatus Status { get; set; }
    public BounceStatus Bounce { get; set; }

    // Proof of sign-up: when, from where, through what.
    public DateTime SignupAt { get; set; }
    public string SignupIp { get; set; } = "";
    public string SignupSource { get; set; } = "";

    // Proof of consent: the confirmation of a double opt-in, or the sign-up of a single opt-in.
    public DateTime? OptInAt { get; set; }
    public string OptInIp { get; set; } = "";
    /// <summary>The browser that confirmed a double opt-in (its User-Agent header), as further proof.</summary>
    public string OptInUserAgent { get; set; } = "";

    public DateTime? UnsubscribedAt { get; set; }
    public string UnsubscribedIp { get; set; } = "";

    /// <summary>When the SMS number was added.</summary>
    public DateTime? SmsSignupAt { get; set; }

    /// <summary>
    /// Set once the contact enters a campaign: only then has it emails and campaigns to show, so that
    /// the contact object of everyone else costs no query for them.
    /// </summary>
    public bool HasCampaignActivity { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One data field value of a contact; an empty value is no row.</summary>
internal sealed class ContactField
{
    public long ContactId { get; set; }
    /// <summary>The field key: <c>fieldFirstName</c>, <c>field12</c>.</summary>
    public required string Key { get; set; }
    public required string Value { get; set; }
}

/// <summary>A tag on a contact, with the time it was first assigned.</summary>
internal sealed class ContactTag
{
    public long ContactId { get; set; }
    public long TagId { get; set; }
    public DateTime TaggedAt { get; set; }
}
