using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Automations;
using Tagflow.Contacts;
using Tagflow.Webhooks;
using Tagflow.Wire;

namespace Tagflow.Cli;

/// <summary>
/// Admin commands for campaigns and webhooks. <c>add</c> takes the body the API's POST takes (a
/// JSON file), and <c>show</c> prints the object the API answers, so one file serves both.
/// </summary>
internal static class AutomationCommands
{
    private const int DefaultDeliveries = 50;

    private static readonly JsonSerializerOptions Pretty = new(WireJson.Response) { WriteIndented = true };

    public static Command Campaigns()
    {
        var command = new Command("campaigns", "Manage an account's follow-up campaigns (as /campaign does).");

        var addFile = BodyFileOption("POST /campaign takes: name, tagid, steps, optional sendername and senderaddress");
        command.Subcommands.Add(AdminCommands.AccountCommand("add", "Create a campaign; prints its id.", [addFile], async (parse, sp, accountId, ct) =>
        {
            var request = await ReadBodyAsync<CampaignRequest>(parse.GetValue(addFile)!, ct);
            var (campaign, refusal) = await sp.GetRequiredService<CampaignAdmin>().SaveAsync(accountId, null, request, ct);
            return refusal is null ? ContactWire.Id(campaign!.Id) : throw Refused(refusal);
        }));

        command.Subcommands.Add(AdminCommands.AccountCommand("list", "List the account's campaigns: id, start tag, steps, contacts running, finished and stopped, active or paused, name.", [],
            async (parse, sp, accountId, ct) =>
            {
                var admin = sp.GetRequiredService<CampaignAdmin>();
                var counts = await admin.CountsAsync(accountId, ct);
                return TerminalText.Lines((await admin.ListAsync(accountId, ct)).Select(c => CampaignLine(c, counts.GetValueOrDefault(c.Id) ?? new(0, 0, 0))));
            }));

        var showId = CampaignId();
        command.Subcommands.Add(AdminCommands.AccountCommand("show", "Print a campaign as JSON, as GET /campaign/{id} answers it.", [showId], async (parse, sp, accountId, ct) =>
        {
            var admin = sp.GetRequiredService<CampaignAdmin>();
            var id = parse.GetValue(showId);
            var campaign = await admin.FindAsync(accountId, id, ct) ?? throw NoSuch("campaign", id);
            var counts = await admin.CountsAsync(accountId, ct);
            return JsonSerializer.Serialize(CampaignsApi.View(campaign, counts.GetValueOrDefault(id)), Pretty);
        }));

        foreach (var (name, pause, description) in new[]
        {
            ("pause", true, "Pause a campaign: it sends nothing and runs no step; its contacts stay where they stand."),
            ("resume", false, "Resume a paused campaign: the steps that fell due meanwhile run at once."),
        })
        {
            var id = CampaignId();
            command.Subcommands.Add(AdminCommands.AccountCommand(name, description, [id], async (parse, sp, accountId, ct) =>
                await sp.GetRequiredService<CampaignAdmin>().PauseAsync(accountId, parse.GetValue(id), pause, ct) is null ? throw NoSuch("campaign", parse.GetValue(id)) : null));
        }

        var removeId = CampaignId();
        command.Subcommands.Add(AdminCommands.AccountCommand("remove", "Delete a campaign; its contacts get none of its further steps.", [removeId], async (parse, sp, accountId, ct) =>
            await sp.GetRequiredService<CampaignAdmin>().RemoveAsync(accountId, parse.GetValue(removeId), ct) ? null : throw NoSuch("campaign", parse.GetValue(removeId))));
        return command;
    }

    public static Command Webhooks()
    {
        var command = new Command("webhooks", "Manage an account's outbound webhooks and their deliveries (as /webhook does).");

        var addFile = BodyFileOption("POST /webhook takes: name, url, optional tagid, method, format and parameters");
        command.Subcommands.Add(AdminCommands.AccountCommand("add",
            "Create a webhook; prints its id, then its signing secret (whsec_…), with which receivers verify the webhook-signature header.",
            [addFile], async (parse, sp, accountId, ct) =>
        {
            var request = await ReadBodyAsync<WebhookRequest>(parse.GetValue(addFile)!, ct);
            var admin = sp.GetRequiredService<WebhookAdmin>();
            var (webhook, refusal) = await admin.SaveAsync(accountId, null, request, ct);
            if (refusal is not null) throw Refused(refusal);
            // stdout stays the created values alone, for scripts; what the secret is for goes beside it.
            await parse.InvocationConfiguration.Error.WriteSafeLineAsync(
                "The second line is the webhook's signing secret: its receiver verifies the webhook-signature header with it ('tagflow webhooks show' prints it again).");
            return ContactWire.Id(webhook!.Id) + Environment.NewLine + admin.Secret(webhook);
        }));

        command.Subcommands.Add(AdminCommands.AccountCommand("list", "List the account's webhooks: id, enabled or disabled, trigger tag, method and URL, name.", [],
            async (parse, sp, accountId, ct) => TerminalText.Lines((await sp.GetRequiredService<WebhookAdmin>().ListAsync(accountId, ct)).Select(w =>
                TerminalText.Line(ContactWire.Id(w.Id), w.DisabledAt is null ? "enabled" : "disabled",
                    "tag " + (w.TagId is { } t ? ContactWire.Id(t) : "-"), $"{w.Method} {w.Url}", w.Name)))));

        var showId = WebhookId();
        command.Subcommands.Add(AdminCommands.AccountCommand("show", "Print a webhook as JSON with its signing secret, as GET /webhook/{id} answers it.", [showId],
            async (parse, sp, accountId, ct) =>
            {
                var admin = sp.GetRequiredService<WebhookAdmin>();
                var webhook = await admin.FindAsync(accountId, parse.GetValue(showId), ct) ?? throw NoSuch("webhook", parse.GetValue(showId));
                return JsonSerializer.Serialize(WebhooksApi.View(webhook, admin.Secret(webhook)), Pretty);
            }));

        var removeId = WebhookId();
        command.Subcommands.Add(AdminCommands.AccountCommand("remove", "Delete a webhook and its deliveries (not while a campaign calls it).", [removeId], async (parse, sp, accountId, ct) =>
            await sp.GetRequiredService<WebhookAdmin>().RemoveAsync(accountId, parse.GetValue(removeId), ct) is { } refusal
                ? throw Refused(refusal, NoSuch("webhook", parse.GetValue(removeId)))
                : null));

        var deliveriesId = WebhookId();
        var limit = new Option<int>("--limit")
        {
            Description = $"How many of the newest deliveries to print (default {DefaultDeliveries}).",
            DefaultValueFactory = _ => DefaultDeliveries,
        };
        limit.Validators.Add(result => { if (result.GetValueOrDefault<int>() < 1) result.AddError("--limit must be 1 or more."); });
        command.Subcommands.Add(AdminCommands.AccountCommand("deliveries",
            "List a webhook's deliveries, newest first: id, state, webhook-id, contact, queued, next attempt, then each attempt (time, status, duration, error).",
            [deliveriesId, limit], async (parse, sp, accountId, ct) =>
            {
                var admin = sp.GetRequiredService<WebhookAdmin>();
                var id = parse.GetValue(deliveriesId);
                if (await admin.FindAsync(accountId, id, ct) is null) throw NoSuch("webhook", id);
                return TerminalText.Lines((await admin.DeliveriesAsync(accountId, id, null, parse.GetValue(limit), ct)).Select(d => DeliveryLine(d.Delivery, d.Attempts)));
            }));

        var retryId = WebhookId();
        var retryDelivery = new Argument<long>("DELIVERY") { Description = "The delivery's id ('tagflow webhooks deliveries' lists them)." };
        command.Subcommands.Add(AdminCommands.AccountCommand("retry", "Send a failed delivery again at the server's next look.", [retryId, retryDelivery], async (parse, sp, accountId, ct) =>
        {
            var (id, delivery) = (parse.GetValue(retryId), parse.GetValue(retryDelivery));
            return await sp.GetRequiredService<WebhookAdmin>().RetryAsync(accountId, id, delivery, ct) is { } refusal
                ? throw Refused(refusal, new AdminException(string.Create(CultureInfo.InvariantCulture, $"The account has no webhook {id} with a delivery {delivery}.")))
                : null;
        }));
        return command;
    }

    private static Argument<long> CampaignId() => new("ID") { Description = "The campaign's id ('tagflow campaigns list' lists them)." };

    private static Argument<long> WebhookId() => new("ID") { Description = "The webhook's id ('tagflow webhooks list' lists them)." };

    private static Option<string> BodyFileOption(string shape) =>
        new("--file") { Description = $"A JSON file with the body {shape}; - reads it from standard input.", Required = true };

    /// <summary>Reads a request body as the API does for JSON, so a file that works with the API works here.</summary>
    private static async Task<T> ReadBodyAsync<T>(string path, CancellationToken cancellationToken) where T : class
    {
        var source = path == "-" ? "standard input" : path;
        string json;
        try
        {
            json = path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AdminException($"Cannot read {source}: {e.Message}");
        }
        try
        {
            return JsonSerializer.Deserialize<T>(json, WireJson.Request) ?? throw new AdminException($"{source} holds null, not a JSON object.");
        }
        catch (JsonException e)
        {
            var at = e.Path is { Length: > 2 } key ? $" at \"{key[2..]}\"" : "";
            throw new AdminException($"{source} is not a usable JSON body{at}: {e.Message}");
        }
    }

    /// <summary>A refusal as a sentence; a 406's error number first, as the API would answer it.</summary>
    private static AdminException Refused(Refusal refusal, AdminException? notFound = null) =>
        refusal.NotFound && notFound is not null ? notFound : AdminCommands.Refused(refusal);

    private static AdminException NoSuch(string what, long id) => new(string.Create(CultureInfo.InvariantCulture, $"The account has no {what} {id}."));

    private static string CampaignLine(Campaign campaign, CampaignCounts counts) => TerminalText.Line(
        ContactWire.Id(campaign.Id), "tag " + ContactWire.Id(campaign.TagId), Count(CampaignSteps.Parse(campaign.Steps).Count, "steps"),
        Count(counts.Running, "running"), Count(counts.Finished, "finished"), Count(counts.Stopped, "stopped"), campaign.PausedAt is null ? "active" : "paused", campaign.Name);

    private static string DeliveryLine(WebhookDelivery delivery, List<WebhookAttempt> attempts)
    {
        var next = delivery.State == DeliveryState.Pending ? "next " + AdminCommands.Time(delivery.NextAttemptAt) : "-";
        var tried = attempts.Count == 0 ? "no attempts" : string.Join(" | ", attempts.Select(a => string.Create(CultureInfo.InvariantCulture,
            $"{AdminCommands.Time(a.At)} {(a.Status is { } status ? ContactWire.Id(status) : "no answer")} {a.DurationMs} ms{(a.Error.Length > 0 ? " " + a.Error : "")}")));
        return TerminalText.Line(ContactWire.Id(delivery.Id), delivery.State.ToString().ToLowerInvariant(), delivery.MessageId,
            delivery.ContactId is { } contactId ? "contact " + ContactWire.Id(contactId) : "test event", "queued " + AdminCommands.Time(delivery.CreatedAt), next, tried);
    }

    private static string Count(int count, string what) => string.Create(CultureInfo.InvariantCulture, $"{count} {what}");
}
