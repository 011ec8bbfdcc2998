using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Tagflow.Automations;
using Tagflow.Data;
using Tagflow.Fields;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.App;

/// <summary>
/// One step as the campaign editor's form sends it: a wait in an amount and unit (or a weekday and
/// time), and the step's stored position, so that moving steps around is seen.
/// </summary>
internal sealed class StepInput
{
    public string? Type { get; set; }
    public string? Subject { get; set; }
    public string? Text { get; set; }
    public string? Html { get; set; }
    public long? Amount { get; set; }
    /// <summary><c>seconds</c>, <c>minutes</c>, <c>hours</c>, <c>days</c> or <c>weekday</c>.</summary>
    public string? Unit { get; set; }
    public string? Weekday { get; set; }
    public string? Time { get; set; }
    public long? TagId { get; set; }
    public long? WebhookId { get; set; }
    /// <summary>The step's position when the page was loaded; null for a step added since.</summary>
    public int? Was { get; set; }

    public static StepInput From(CampaignStep step, int position)
    {
        var input = new StepInput
        {
            Type = step.Type, Subject = step.Subject, Text = step.Text, Html = step.Html, TagId = step.TagId, WebhookId = step.WebhookId, Was = position,
            Weekday = step.Weekday, Time = step.Time,
        };
        if (step.Type != StepTypes.Wait) return input;
        if (step.Seconds is not { } seconds) input.Unit = "weekday";
        else
        {
            var unit = Units.Last(u => seconds % u.Seconds == 0);
            (input.Amount, input.Unit) = (seconds / unit.Seconds, unit.Name);
        }
        return input;
    }

    /// <summary>A new step of a type, with a wait of a day and an email to write.</summary>
    public static StepInput New(string type) => type switch
    {
        StepTypes.Wait => new StepInput { Type = type, Amount = 1, Unit = "days" },
        StepTypes.Email => new StepInput { Type = type, Subject = "", Text = "" },
        _ => new StepInput { Type = type },
    };

    /// <summary>The step as the API takes it; the API's own rules then check it.</summary>
    public CampaignStep? ToStep() => Type switch
    {
        StepTypes.Email => new CampaignStep(Type, Subject, Text, Html),
        StepTypes.Wait when Unit == "weekday" => new CampaignStep(Type, Weekday: Weekday, Time: Time),
        // An amount out of range is sent as -1, for the API's own words on the range.
        StepTypes.Wait => new CampaignStep(Type, Seconds: Amount is { } amount && Units.FirstOrDefault(u => u.Name == Unit) is { Name: not null } unit
            ? amount is < 1 or > CampaignSteps.MaxWaitSeconds ? -1 : amount * unit.Seconds : null),
        StepTypes.Tag or StepTypes.Untag => new CampaignStep(Type, TagId: TagId),
        StepTypes.Webhook => new CampaignStep(Type, WebhookId: WebhookId),
        _ => null,
    };

    public static readonly (string Name, long Seconds)[] Units = [("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400)];
}

/// <summary>What the campaign pages share: their tag lists, the draft email, the preview, and the refusals said in the page's words.</summary>
internal static partial class CampaignForm
{
    /// <summary>The first step of a campaign made in the app, to be written before it is resumed.</summary>
    public static readonly CampaignStep DraftEmail = new(StepTypes.Email, "Welcome", "Hello {{email}},\n\nthank you for your interest.\n");

    public static readonly (string Type, string Label)[] Types =
        [(StepTypes.Email, "Email"), (StepTypes.Wait, "Wait"), (StepTypes.Tag, "Add a tag"), (StepTypes.Untag, "Remove a tag"), (StepTypes.Webhook, "Call a webhook")];

    public static string Label(string? type) => Types.FirstOrDefault(t => t.Type == type).Label ?? "Unknown step";

    /// <summary>The account's tags by name; for tag and untag steps only the manual ones (SmartTags are the system's).</summary>
    public static async Task<List<(long Id, string Name)>> TagsAsync(TagflowDb db, long accountId, bool manualOnly, CancellationToken cancellationToken) =>
        [.. (await db.Tags.AsNoTracking().Where(t => t.AccountId == accountId && (!manualOnly || t.Kind == TagKind.Manual))
            .Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken))
            .OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Select(t => (t.Id, t.Name))];

    /// <summary>A campaign refusal, with the wire's key names (<c>steps[1][subject]</c>) said as the page shows them (step 2's subject).</summary>
    public static string Problem(Refusal refusal)
    {
        var message = StepKey().Replace(refusal.Message, m =>
            $"{(m.Index == 0 ? "S" : "s")}tep {int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1}{(m.Groups[2].Success ? $"'s {Words(m.Groups[2].Value)}" : "")}");
        return message.Replace("The key \"name\"", "The name", StringComparison.Ordinal)
            .Replace("The key \"tagid\"", "The start tag", StringComparison.Ordinal)
            .Replace("The key \"sendername\"", "The sender name", StringComparison.Ordinal)
            .Replace("The key \"senderaddress\"", "The sender address", StringComparison.Ordinal)
            .Replace("The key \"steps\"", "The steps", StringComparison.Ordinal);
    }

    private static string Words(string key) => key switch
    {
        "tagid" => "tag",
        "webhookid" => "webhook",
        "seconds" => "wait",
        "text" => "text body",
        "html" => "HTML body",
        _ => key,
    };

    /// <summary>
    /// An email step as a contact would get it: made by <see cref="CampaignMail"/> for the sample contact,
    /// its links rewritten as sent. Nothing is stored or sent.
    /// </summary>
    public static (string Subject, string Text, string Html) Preview(Campaign campaign, CampaignStep step, string accountEmail, SampleContact sample,
        TimeZoneInfo zone, string baseUrl, DateTimeOffset now)
    {
        var (message, _) = CampaignMail.Create(campaign, step, accountEmail, sample.Email, sample.Fields, sample.Tags, zone, baseUrl, "preview", "preview@localhost", now);
        return (message.Subject ?? "", message.TextBody ?? "", message.HtmlBody ?? "");
    }

    [GeneratedRegex("""(?:The key |The step )?"?steps\[(\d+)\](?:\[(\w+)\])?"?""")]
    private static partial Regex StepKey();
}
