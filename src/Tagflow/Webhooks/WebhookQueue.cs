using Microsoft.EntityFrameworkCore;
using Tagflow.Contacts;
using Tagflow.Data;

namespace Tagflow.Webhooks;

/// <summary>Queues a webhook's call for a contact inside the change that triggers it, so the call exists exactly when its cause does.</summary>
internal static class WebhookQueue
{
    /// <summary>The longest URL a delivery keeps (its column); one made longer by very long field values is cut short.</summary>
    private const int MaxUrlLength = 8000;

    public static async Task AddAsync(TagflowDb db, Webhook webhook, long contactId, DateTime now, CancellationToken cancellationToken)
    {
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == contactId)
            .Select(c => new { c.Id, c.Email, c.SmsPhone, c.Status }).SingleOrDefaultAsync(cancellationToken);
        if (contact is null) return; // erased since
        var fields = new Dictionary<string, string>();
        await foreach (var field in ContactQueries.Fields(db, contactId).WithCancellation(cancellationToken)) fields[field.Key] = field.Value;
        var (url, body, contentType) = WebhookRequests.Build(webhook, key => key switch
        {
            "email" => contact.Email ?? "",
            "id" => ContactWire.Id(contact.Id),
            "sms_phone" => contact.SmsPhone ?? "",
            "status" => ContactWire.StatusLabel(contact.Status),
            _ => fields.GetValueOrDefault(key, ""),
        });
        db.WebhookDeliveries.Add(new WebhookDelivery
        {
            AccountId = webhook.AccountId, WebhookId = webhook.Id, ContactId = contactId, MessageId = WebhookRequests.NewMessageId(),
            Method = webhook.Method, Url = url.Length <= MaxUrlLength ? url : url[..MaxUrlLength], Body = body, ContentType = contentType,
            State = DeliveryState.Pending, NextAttemptAt = now, CreatedAt = now,
        });
    }
}
