using System.Security.Claims;
using Tagflow.Accounts;
using Tagflow.Automations;
using Tagflow.Contacts;
using Tagflow.Wire;

namespace Tagflow.Webhooks;

internal sealed record DeliveriesFilter(long? Before, long? Limit) : IWireFilter;

/// <summary>
/// Tagflow's addition: managing outbound webhooks (KlickTipp's "Outbound"). When a contact gets the
/// trigger tag, Tagflow calls the URL with the contact's address and the chosen values, signed the
/// Standard Webhooks way with the webhook's own secret (<c>whsec_…</c>, shown when it is created).
/// </summary>
internal static class WebhooksApi
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;

    public static void MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webhook").WithTags("Webhooks").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapPost("/", CreateAsync).AcceptsWire<WebhookRequest>().Produces<Dictionary<string, object>>()
            .WithSummary("Tagflow: create a webhook: name, tagid (the trigger), url (with __name__ placeholders), method (POST or GET), format (json or form), parameters; answers it with its signing secret.");
        group.MapGet("/", ListAsync).Produces<Dictionary<string, object>[]>().WithSummary("Tagflow: the account's webhooks (without their secrets).");
        group.MapGet("/{id:long}", GetAsync).Produces<Dictionary<string, object>>().WithSummary("Tagflow: one webhook, with its signing secret.");
        group.MapPut("/{id:long}", UpdateAsync).AcceptsWire<WebhookRequest>().Produces<Dictionary<string, object>>()
            .WithSummary("Tagflow: change a webhook; keys left out stay as they are. Saving a disabled webhook enables it again.");
        group.MapDelete("/{id:long}", DeleteAsync).Produces<bool[]>().WithSummary("Tagflow: delete a webhook and its deliveries.");
        group.MapGet("/{id:long}/deliveries", DeliveriesAsync).Produces<Dictionary<string, object>[]>()
            .WithSummary($"Tagflow: the webhook's deliveries, newest first (limit up to {MaxLimit}, before an id), each with every attempt: time, status, duration, error.");
        group.MapPost("/{id:long}/deliveries/{deliveryId:long}/retry", RetryAsync).Produces<bool[]>()
            .WithSummary("Tagflow: try a failed delivery again now.");
    }

    private static async Task<IResult> CreateAsync(Body<WebhookRequest> body, ClaimsPrincipal user, WebhookAdmin admin, CancellationToken cancellationToken)
    {
        var (webhook, refusal) = await admin.SaveAsync(user.AccountId(), null, body.Value, cancellationToken);
        return refusal?.ToResult() ?? WireResults.Ok(View(webhook!, admin.Secret(webhook!)));
    }

    private static async Task<IResult> UpdateAsync(long id, Body<WebhookRequest> body, ClaimsPrincipal user, WebhookAdmin admin, CancellationToken cancellationToken)
    {
        var (webhook, refusal) = await admin.SaveAsync(user.AccountId(), id, body.Value, cancellationToken);
        return refusal?.ToResult() ?? WireResults.Ok(View(webhook!, null));
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, WebhookAdmin admin, CancellationToken cancellationToken) =>
        WireResults.Ok((await admin.ListAsync(user.AccountId(), cancellationToken)).Select(w => View(w, null)).ToList());

    private static async Task<IResult> GetAsync(long id, ClaimsPrincipal user, WebhookAdmin admin, CancellationToken cancellationToken) =>
        await admin.FindAsync(user.AccountId(), id, cancellationToken) is { } webhook ? WireResults.Ok(View(webhook, admin.Secret(webhook))) : WireResults.NotFound();

    private static async Task<IResult> DeleteAsync(long id, ClaimsPrincipal user, WebhookAdmin admin, CancellationToken cancellationToken) =>
        await admin.RemoveAsync(user.AccountId(), id, cancellationToken) is { } refusal ? refusal.ToResult() : WireResults.True();

    private static async Task<IResult> DeliveriesAsync(long id, Body<DeliveriesFilter> body, ClaimsPrincipal user, WebhookAdmin admin, CancellationToken cancellationToken)
    {
        var (before, limit) = body.Value;
        if (limit is < 1 or > MaxLimit) return WireResults.BadRequest($"The key \"limit\" must be a whole number from 1 to {MaxLimit}.");
        if (await admin.FindAsync(user.AccountId(), id, cancellationToken) is null) return WireResults.NotFound();
        var deliveries = await admin.DeliveriesAsync(user.AccountId(), id, before, (int)(limit ?? DefaultLimit), cancellationToken);
        return WireResults.Ok(deliveries.Select(d => new WireObject
        {
            ["id"] = ContactWire.Id(d.Delivery.Id),
            ["webhook_id"] = d.Delivery.MessageId,
            ["contactid"] = d.Delivery.ContactId is { } contactId ? ContactWire.Id(contactId) : "",
            ["cause"] = d.Delivery.Cause,
            ["state"] = d.Delivery.State.ToString().ToLowerInvariant(),
            ["created"] = ContactWire.UnixTime(d.Delivery.CreatedAt),
            ["next_attempt"] = d.Delivery.State == DeliveryState.Pending ? ContactWire.UnixTime(d.Delivery.NextAttemptAt) : "",
            ["attempts"] = d.Attempts.Select(a => new WireObject
            {
                ["time"] = ContactWire.UnixTime(a.At),
                ["status"] = a.Status is { } status ? ContactWire.Id(status) : "",
                ["duration_ms"] = ContactWire.Id(a.DurationMs),
                ["error"] = a.Error,
                ["answer"] = a.Answer,
            }).ToList(),
        }).ToList());
    }

    private static async Task<IResult> RetryAsync(long id, long deliveryId, ClaimsPrincipal user, WebhookAdmin admin, CancellationToken cancellationToken)
    {
        if (await admin.RetryAsync(user.AccountId(), id, deliveryId, cancellationToken) is { } refusal) return refusal.ToResult();
        return WireResults.True();
    }

    /// <summary>The wire shape of a webhook; the secret only where it is asked for (creation, and GET of one webhook).</summary>
    public static WireObject View(Webhook webhook, string? secret)
    {
        var view = new WireObject
        {
            ["id"] = ContactWire.Id(webhook.Id),
            ["name"] = webhook.Name,
            ["tagid"] = webhook.TagId is { } tagId ? ContactWire.Id(tagId) : "",
            ["url"] = webhook.Url,
            ["method"] = webhook.Method,
            ["format"] = webhook.Format,
            ["parameters"] = WebhookRequests.ParseParameters(webhook.Parameters).Select(p => p.Field is { } field
                ? new WireObject { ["name"] = p.Name, ["field"] = field }
                : new WireObject { ["name"] = p.Name, ["value"] = p.Value ?? "" }).ToList(),
            ["enabled"] = webhook.DisabledAt is null,
            ["disabled_reason"] = webhook.DisabledReason,
            ["created"] = ContactWire.UnixTime(webhook.CreatedAt),
        };
        if (secret is not null) view["secret"] = secret;
        return view;
    }

}
