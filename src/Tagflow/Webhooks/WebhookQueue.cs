using Microsoft.EntityFrameworkCore;
using Tagflow.Contacts;
using Tagflow.Data;

namespace Tagflow.Webhooks;

/// <summary>Queues a webhook's call for a contact inside the change that triggers it, so the call exists exactly when its cause does.</summary>
internal static class WebhookQueue
{
    /// <summary>The longest URL a delivery keeps (its column); one made longer by very long field values is cut short.</summary>
    private const int MaxUrlLength = 8000;

    /// <summary>The sample contact a test event sends: an address that reaches no one, and no id.</summary>
    public const string TestEmail = "test@example.com";

    public static async Task AddAsync(TagflowDb db, Webhook webhook, long contactId, string cause, DateTime now, CancellationToken cancellationToken)
    {
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == contactId)
            .Select(c => new { c.Id, c.Email, c.SmsPhone, c.Status }).SingleOrDefaultAsync(cancellationToken);
        if (contact is null) return; // erased since
        var fields = new Dictionary<string, string>();
        await foreach (var field in ContactQueries.Fields(db, contactId).WithCancellation(cancellationToken)) fields[field.Key] = field.Value;
        var request = WebhookRequests.Build(webhook, key => key switch
        {
            "email" => contact.Email ?? "",
            "id" => ContactWire.Id(contact.Id),
            "sms_phone" => contact.SmsPhone ?? "",
            "status" => ContactWire.StatusLabel(contact.Status),
            _ => fields.GetValueOrDefault(key, ""),
        });
        Add(db, webhook, contactId, cause, request, now);
    }

    /// <summary>
    /// A test call: the webhook's request for a sample contact (<see cref="TestEmail"/>, status
    /// subscribed, its data fields named by their keys), with <see cref="WebhookRequests.TestMarker"/>
    /// added so the receiver can tell it from a real one. Sent and signed like any other.
    /// </summary>
    public static void AddTest(TagflowDb db, Webhook webhook, DateTime now)
    {
        var request = WebhookRequests.Build(webhook, key => key switch
        {
            "email" => TestEmail,
            "id" => "0",
            "sms_phone" => "",
            "status" => ContactWire.StatusLabel(ContactStatus.Subscribed),
            _ => $"({key})",
        }, test: true);
        Add(db, webhook, null, DeliveryCauses.Test, request, now);
    }

    private static void Add(TagflowDb db, Webhook webhook, long? contactId, string cause, (string Url, string Body, string ContentType) request, DateTime now) =>
        db.WebhookDeliveries.Add(new WebhookDelivery
        {
            AccountId = webhook.AccountId, WebhookId = webhook.Id, ContactId = contactId, Cause = cause, MessageId = WebhookRequests.NewMessageId(),
            Method = webhook.Method, Url = request.Url.Length <= MaxUrlLength ? request.Url : request.Url[..MaxUrlLength], Body = request.Body,
            ContentType = request.ContentType, State = DeliveryState.Pending, NextAttemptAt = now, CreatedAt = now,
        });
}
