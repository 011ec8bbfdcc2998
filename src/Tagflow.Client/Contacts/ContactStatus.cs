namespace Tagflow.Client;

/// <summary>A contact's subscription status (<c>status</c>, <c>sms_status</c>).</summary>
public enum ContactStatus
{
    /// <summary>The server sent an empty or unrecognised status (an SMS status of a contact without SMS number).</summary>
    Unknown,

    /// <summary><c>Opt-In Pending</c>: waiting for the confirmation of a double opt-in.</summary>
    OptInPending,

    /// <summary><c>Subscribed</c>.</summary>
    Subscribed,

    /// <summary><c>Unsubscribed</c>: cannot be subscribed again through the API.</summary>
    Unsubscribed,
}

/// <summary>A contact's bounce status (<c>bounce</c>, <c>sms_bounce</c>).</summary>
public enum BounceStatus
{
    /// <summary>The server sent an empty or unrecognised bounce status.</summary>
    Unknown,

    /// <summary><c>Not Bounced</c>.</summary>
    NotBounced,

    /// <summary><c>Soft Bounce</c>: a temporary delivery failure.</summary>
    SoftBounce,

    /// <summary><c>Hard Bounce</c>: the address does not accept mail.</summary>
    HardBounce,

    /// <summary><c>Spam Bounce</c>: the mail was refused as spam.</summary>
    SpamBounce,
}

internal static class StatusWire
{
    public static ContactStatus ParseStatus(string text) => text.Trim().ToUpperInvariant() switch
    {
        "OPT-IN PENDING" or "PENDING" => ContactStatus.OptInPending,
        "SUBSCRIBED" => ContactStatus.Subscribed,
        "UNSUBSCRIBED" => ContactStatus.Unsubscribed,
        _ => ContactStatus.Unknown,
    };

    public static BounceStatus ParseBounce(string text) => text.Trim().ToUpperInvariant() switch
    {
        "NOT BOUNCED" => BounceStatus.NotBounced,
        "SOFT BOUNCE" => BounceStatus.SoftBounce,
        "HARD BOUNCE" => BounceStatus.HardBounce,
        "SPAM BOUNCE" => BounceStatus.SpamBounce,
        _ => BounceStatus.Unknown,
    };

    /// <summary>The filter words of <c>GET /subscriber</c> and <c>POST /subscriber/tagged</c>.</summary>
    public static string Filter(ContactStatus status) => status switch
    {
        ContactStatus.OptInPending => "pending",
        ContactStatus.Subscribed => "subscribed",
        ContactStatus.Unsubscribed => "unsubscribed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Filter by OptInPending, Subscribed or Unsubscribed."),
    };

    public static string Filter(BounceStatus bounce) => bounce switch
    {
        BounceStatus.NotBounced => "nobounce",
        BounceStatus.SoftBounce => "softbounce",
        BounceStatus.HardBounce => "hardbounce",
        BounceStatus.SpamBounce => "spambounce",
        _ => throw new ArgumentOutOfRangeException(nameof(bounce), bounce, "Filter by NotBounced, SoftBounce, HardBounce or SpamBounce."),
    };
}
