using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Automations;
using Tagflow.Data;
using Tagflow.Fields;
using Tagflow.Wire;

namespace Tagflow.Webhooks;

internal sealed record WebhookParameterRequest(string? Name, string? Field, string? Value);

internal sealed record WebhookRequest(string? Name, long? TagId, string? Url, string? Method, string? Format, List<WebhookParameterRequest?>? Parameters);

/// <summary>Creating, changing, listing and deleting an account's webhooks, and their deliveries; for the API and the command line.</summary>
internal sealed partial class WebhookAdmin(TagflowDb db, KeyRing keys, TagflowSettings settings, TimeProvider clock, AutomationSignal signal, Writes writes)
{
    public const int MaxParameters = 50;

    /// <summary>The contact values a parameter can send besides data fields.</summary>
    private static readonly string[] ContactKeys = ["email", "id", "sms_phone", "status"];

    /// <summary>Creates a webhook (<paramref name="id"/> null) or changes one; saving a disabled webhook enables it again.</summary>
    public async Task<(Webhook? Webhook, Refusal? Refusal)> SaveAsync(long accountId, long? id, WebhookRequest request, CancellationToken cancellationToken)
    {
        var existing = id is { } webhookId
            ? await db.Webhooks.SingleOrDefaultAsync(w => w.Id == webhookId && w.AccountId == accountId, cancellationToken)
            : null;
        if (id is not null && existing is null) return (null, Refusal.NoSuchEntity);
        var name = request.Name?.Trim() ?? existing?.Name;
        if (string.IsNullOrEmpty(name)) return (null, new("The key \"name\" is required: the webhook's name."));
        if (name.Length > 250) return (null, new("The key \"name\" may have at most 250 characters."));
        if (WireText.LineProblem("name", name) is { } line) return (null, new(line));
        var tagId = request.TagId ?? existing?.TagId;
        if (tagId is { } tag && !await db.Tags.AnyAsync(t => t.Id == tag && t.AccountId == accountId, cancellationToken))
            return (null, new($"There is no tag {tag} in the account.", WireErrors.TagNotFound));
        var url = request.Url?.Trim() ?? existing?.Url;
        if (string.IsNullOrEmpty(url)) return (null, new("The key \"url\" is required: where Tagflow sends the request."));
        if (url.Length > 2000) return (null, new("The key \"url\" may have at most 2000 characters."));
        if (WebhookTargets.UrlProblem(url, settings.WebhookAllowPrivate) is { } urlProblem) return (null, new(urlProblem));
        var method = request.Method?.Trim().ToUpperInvariant() ?? existing?.Method ?? "POST";
        if (method is not ("POST" or "GET")) return (null, new("The key \"method\" must be POST or GET."));
        var format = request.Format?.Trim().ToLowerInvariant() ?? existing?.Format ?? "json";
        if (format is not ("json" or "form")) return (null, new("The key \"format\" must be json or form."));

        List<WebhookParameter> parameters;
        if (request.Parameters is null && existing is not null) parameters = WebhookRequests.ParseParameters(existing.Parameters);
        else
        {
            var fields = await FieldCatalog.LoadAsync(db, accountId, cancellationToken);
            var (checkedParameters, problem) = CheckParameters(request.Parameters ?? [], fields);
            if (problem is not null) return (null, new(problem));
            parameters = checkedParameters;
        }
        // The address goes as "email" only when no parameter sends it under a name of its own (see WebhookRequests.Build).
        var names = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        if (!parameters.Any(p => p.Field == "email")) names.Add("email");
        if (WebhookRequests.Placeholders(url).FirstOrDefault(p => !names.Contains(p)) is { } unknown)
            return (null, new($"The key \"url\" uses the placeholder __{unknown}__, but no parameter has that name."));

        var now = clock.GetUtcNow().UtcDateTime;
        var webhook = existing ?? new Webhook
        {
            AccountId = accountId, Name = name, Url = url, Method = method, Format = format, Parameters = "[]",
            SecretSeed = RandomNumberGenerator.GetBytes(32), CreatedAt = now,
        };
        webhook.Name = name;
        if (existing is null || existing.TagId != tagId) webhook.FromEventId = await CampaignAdmin.LastEventIdAsync(db, accountId, cancellationToken);
        webhook.TagId = tagId;
        webhook.Url = url;
        webhook.Method = method;
        webhook.Format = format;
        webhook.Parameters = System.Text.Json.JsonSerializer.Serialize(parameters, WebhookRequests.ParameterJson);
        webhook.DisabledAt = null;
        webhook.DisabledReason = "";
        webhook.UpdatedAt = now;
        if (existing is null) db.Webhooks.Add(webhook);
        await db.SaveChangesAsync(cancellationToken);
        signal.Changed();
        return (webhook, null);
    }

    private static (List<WebhookParameter>, string?) CheckParameters(List<WebhookParameterRequest?> requested, FieldCatalog fields)
    {
        if (requested.Count > MaxParameters) return ([], $"A webhook sends at most {MaxParameters} parameters.");
        var parameters = new List<WebhookParameter>();
        for (var i = 0; i < requested.Count; i++)
        {
            var at = $"parameters[{i}]";
            var p = requested[i];
            var name = p?.Name?.Trim() ?? "";
            if (!ParameterName().IsMatch(name))
                return ([], $"The key \"{at}[name]\" must be 1 to 64 letters, digits, '_', '-' or '.', starting with a letter or digit.");
            if (parameters.Any(q => q.Name == name)) return ([], $"Two parameters are named \"{name}\".");
            if (p!.Field is { } field && p.Value is not null) return ([], $"The parameter {at} sends either a \"field\" or a fixed \"value\", not both.");
            if (p.Field is { } f)
            {
                var key = f.Trim();
                if (!ContactKeys.Contains(key) && (fields.Find(key) is not { } found || !key.StartsWith("field", StringComparison.Ordinal)))
                    return ([], $"The key \"{at}[field]\" must be email, id, sms_phone, status or a data field's key (GET /field lists them).");
                parameters.Add(new WebhookParameter(name, ContactKeys.Contains(key) ? key : fields.Find(key)!.Key, null));
            }
            else if (p.Value is { } value)
            {
                if (value.Length > 1000) return ([], $"The key \"{at}[value]\" may have at most 1000 characters.");
                parameters.Add(new WebhookParameter(name, null, value));
            }
            else return ([], $"The parameter {at} needs a \"field\" (a contact value) or a fixed \"value\".");
        }
        return (parameters, null);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex ParameterName();

    public string Secret(Webhook webhook) => keys.WebhookSecret(webhook.SecretSeed);

    public Task<List<Webhook>> ListAsync(long accountId, CancellationToken cancellationToken) =>
        db.Webhooks.AsNoTracking().Where(w => w.AccountId == accountId).OrderBy(w => w.Id).ToListAsync(cancellationToken);

    public Task<Webhook?> FindAsync(long accountId, long id, CancellationToken cancellationToken) =>
        db.Webhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id && w.AccountId == accountId, cancellationToken);

    /// <summary>Deletes a webhook and its deliveries; refused (error 611) while a campaign calls it. Null if there is no such webhook.</summary>
    public async Task<Refusal?> RemoveAsync(long accountId, long id, CancellationToken cancellationToken)
    {
        if (!await db.Webhooks.AnyAsync(w => w.Id == id && w.AccountId == accountId, cancellationToken)) return Refusal.NoSuchEntity;
        if (await CampaignAdmin.WebhookInUseAsync(db, accountId, id, cancellationToken))
            return new("A campaign calls this webhook: change or delete the campaign first.", WireErrors.WebhookInUse);
        await db.Webhooks.Where(w => w.Id == id && w.AccountId == accountId).ExecuteDeleteAsync(cancellationToken);
        return null;
    }

    /// <summary>Stops calling the webhook (<paramref name="enabled"/> false) or calls it again; a disabled webhook's queued calls fail at their next attempt. False if there is no such webhook.</summary>
    public async Task<bool> SetEnabledAsync(long accountId, long id, bool enabled, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var webhook = db.Webhooks.Where(w => w.Id == id && w.AccountId == accountId);
        var changed = enabled
            ? await webhook.ExecuteUpdateAsync(s => s.SetProperty(w => w.DisabledAt, (DateTime?)null).SetProperty(w => w.DisabledReason, "").SetProperty(w => w.UpdatedAt, now), cancellationToken)
            : await webhook.ExecuteUpdateAsync(s => s.SetProperty(w => w.DisabledAt, w => w.DisabledAt ?? now)
                .SetProperty(w => w.DisabledReason, w => w.DisabledAt == null ? DisabledByOwner : w.DisabledReason).SetProperty(w => w.UpdatedAt, now), cancellationToken);
        signal.Changed();
        return changed == 1;
    }

    /// <summary>Why a webhook stopped, as <see cref="Webhook.DisabledReason"/> records it.</summary>
    public const string DisabledByOwner = "Disabled by the account.";

    private static string DisabledWhy(Webhook webhook) => webhook.DisabledReason.Length > 0 ? webhook.DisabledReason.TrimEnd('.') : "disabled";

    /// <summary>
    /// Queues a test event for the webhook (<see cref="WebhookQueue.AddTest"/>): sent, signed and
    /// logged like any delivery. A sentence if the webhook is disabled; <see cref="Refusal.NoSuchEntity"/>
    /// if there is no such webhook.
    /// </summary>
    public async Task<Refusal?> SendTestAsync(long accountId, long webhookId, CancellationToken cancellationToken)
    {
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        var webhook = await FindAsync(accountId, webhookId, cancellationToken);
        if (webhook is null) return Refusal.NoSuchEntity;
        if (webhook.DisabledAt is not null) return new($"Webhook {webhookId} is disabled ({DisabledWhy(webhook)}): enable it first.");
        WebhookQueue.AddTest(db, webhook, clock.GetUtcNow().UtcDateTime);
        await write.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// The webhook's deliveries, newest first, each with its attempts: those before the id
    /// <paramref name="before"/>, or (going back towards the newest) the <paramref name="limit"/>
    /// after <paramref name="after"/>. By keyset on the delivery id, so a late page costs what the first does.
    /// </summary>
    public async Task<List<(WebhookDelivery Delivery, List<WebhookAttempt> Attempts)>> DeliveriesAsync(long accountId, long webhookId, long? before, int limit,
        CancellationToken cancellationToken, long? after = null)
    {
        var deliveries = db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.AccountId == accountId && d.WebhookId == webhookId && (before == null || d.Id < before) && (after == null || d.Id > after));
        // One query, so that a delivery's state and next attempt agree with its attempts while the sender records one.
        var rows = await (after is null ? deliveries.OrderByDescending(d => d.Id) : deliveries.OrderBy(d => d.Id)).Take(limit)
            .Select(d => new { Delivery = d, Attempts = db.WebhookAttempts.Where(a => a.DeliveryId == d.Id).OrderBy(a => a.Id).ToList() })
            .ToListAsync(cancellationToken);
        return [.. (after is null ? rows : rows.AsEnumerable().Reverse()).Select(r => (r.Delivery, r.Attempts))];
    }

    /// <summary>
    /// Queues a delivery that failed for another attempt now. A sentence if it cannot be retried;
    /// <see cref="Refusal.NoSuchEntity"/> if there is no such delivery. A write like any other,
    /// so its commit wakes the webhook sender (<see cref="ICommitListener"/>).
    /// </summary>
    public async Task<Refusal?> RetryAsync(long accountId, long webhookId, long deliveryId, CancellationToken cancellationToken)
    {
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        var webhook = await FindAsync(accountId, webhookId, cancellationToken);
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId && d.WebhookId == webhookId && d.AccountId == accountId, cancellationToken);
        if (webhook is null || delivery is null) return Refusal.NoSuchEntity;
        if (webhook.DisabledAt is not null)
            return new($"Webhook {webhookId} is disabled ({DisabledWhy(webhook)}): enable it (or save it again, PUT /webhook/{webhookId}), then retry.");
        if (delivery.State == DeliveryState.Delivered) return new("This delivery has already reached the receiver.");
        delivery.State = DeliveryState.Pending;
        delivery.NextAttemptAt = clock.GetUtcNow().UtcDateTime;
        await write.CommitAsync(cancellationToken);
        return null;
    }
}
