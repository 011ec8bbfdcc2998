namespace Tagflow.Housekeeping;

/// <summary>
/// How long housekeeping keeps what serves only as a record, in days; the rest of what it removes
/// (expired sessions and links, quiet login counters, spent idempotency keys) has fixed lives.
/// </summary>
internal sealed record Retention
{
    /// <summary>Webhook deliveries that ended (delivered or failed), with their attempts.</summary>
    public int WebhookDeliveryDays { get; init; } = 30;

    /// <summary>
    /// Campaign emails sent: the contacts' emails_sent, opened and clicked, and the emails' links (unsubscribe
    /// included); and the record of emails skipped and of emails not delivered.
    /// </summary>
    public int SentEmailDays { get; init; } = 365;

    /// <summary>
    /// The bounces and complaints recorded per email (the contacts' bounce status stays): never fewer
    /// days than the soft-bounce rule counts over (<see cref="Bounces.BounceSettings.SoftDays"/>), whatever is set.
    /// </summary>
    public int BounceDays { get; init; } = 365;

    /// <summary>Events of the feed that the automations have read.</summary>
    public int EventDays { get; init; } = 90;

    /// <summary>The .eml files in the outbox folder.</summary>
    public int OutboxDays { get; init; } = 30;

    /// <summary>How often each instance looks.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);
}
