namespace Tagflow.Webhooks;

/// <summary>
/// An outbound webhook: when a contact gets the trigger tag, Tagflow calls the URL with the
/// contact's address and the chosen fields, signed with the webhook's own secret.
/// </summary>
internal sealed class Webhook
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string Name { get; set; }
    /// <summary>The tag that triggers the call; null for a webhook that only campaign steps call.</summary>
    public long? TagId { get; set; }
    /// <summary>The account's last event when the webhook got its trigger tag: only later taggings call it.</summary>
    public long FromEventId { get; set; }
    /// <summary>The target, with <c>__name__</c> placeholders for parameter values.</summary>
    public required string Url { get; set; }
    /// <summary><c>POST</c> or <c>GET</c>.</summary>
    public required string Method { get; set; }
    /// <summary><c>json</c> or <c>form</c>, for a POST's body.</summary>
    public required string Format { get; set; }
    /// <summary>The parameters as JSON, see <see cref="WebhookParameter"/>.</summary>
    public required string Parameters { get; set; }
    /// <summary>
    /// The signing secret is derived from this seed and the server's key file (see
    /// <see cref="Accounts.KeyRing"/>), so the database never holds the secret itself.
    /// </summary>
    public required byte[] SecretSeed { get; set; }
    /// <summary>When the receiver answered 410 Gone: no more calls until the webhook is saved again.</summary>
    public DateTime? DisabledAt { get; set; }
    public string DisabledReason { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One value a webhook sends: a contact field's value (<see cref="Field"/>) or a fixed <see cref="Value"/>, under <see cref="Name"/>.</summary>
internal sealed record WebhookParameter(string Name, string? Field, string? Value);

internal enum DeliveryState
{
    /// <summary>Waiting for its next attempt at <see cref="WebhookDelivery.NextAttemptAt"/>.</summary>
    Pending,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,
    /// <summary>Given up: 3 days of failures, a 410, or the webhook was disabled.</summary>
    Failed,
}

/// <summary>
/// One call of a webhook for one contact, with its request fixed when it was queued, so that every
/// attempt sends the same body under the same <c>webhook-id</c> (<see cref="MessageId"/>).
/// </summary>
internal sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long WebhookId { get; set; }
    /// <summary>The contact the call is about; null for a test event, which is about no contact.</summary>
    public long? ContactId { get; set; }
    /// <summary>What queued it, one of <see cref="DeliveryCauses"/>; empty for a delivery queued before causes were kept.</summary>
    public string Cause { get; set; } = "";
    /// <summary>The Standard Webhooks message id (<c>msg_…</c>): the same on every attempt.</summary>
    public required string MessageId { get; set; }
    public required string Method { get; set; }
    public required string Url { get; set; }
    public required string Body { get; set; }
    public required string ContentType { get; set; }
    public DeliveryState State { get; set; }
    public int Attempts { get; set; }
    /// <summary>When the next attempt is due; while an instance delivers, a lease a little past its timeout.</summary>
    public DateTime NextAttemptAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
}

/// <summary>One attempt of a delivery: when, the receiver's status (null if none came), how long, what went wrong.</summary>
internal sealed class WebhookAttempt
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public DateTime At { get; set; }
    public int? Status { get; set; }
    public int DurationMs { get; set; }
    public string Error { get; set; } = "";
    /// <summary>The start of the receiver's answer body, as text.</summary>
    public string Answer { get; set; } = "";
}

/// <summary>What queues a delivery.</summary>
internal static class DeliveryCauses
{
    /// <summary>A contact got the webhook's trigger tag.</summary>
    public const string TagAdded = "tag.added";
    /// <summary>A campaign's webhook step.</summary>
    public const string Campaign = "campaign";
    /// <summary>The owner's "send a test event": a sample contact, marked as a test.</summary>
    public const string Test = "test";
}
