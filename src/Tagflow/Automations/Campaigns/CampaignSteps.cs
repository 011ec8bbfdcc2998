using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tagflow.OptIns;

namespace Tagflow.Automations;

/// <summary>
/// One step of a campaign, as the wire sends it and as it is stored:
/// <c>{"type":"email","subject":…,"text":…,"html":…}</c>, <c>{"type":"wait","seconds":86400}</c> or
/// <c>{"type":"wait","weekday":"monday","time":"09:00"}</c>, <c>{"type":"tag","tagid":13}</c>,
/// <c>{"type":"untag","tagid":12}</c>, <c>{"type":"webhook","webhookid":4}</c>.
/// </summary>
internal sealed record CampaignStep(
    string? Type,
    string? Subject = null,
    string? Text = null,
    string? Html = null,
    long? Seconds = null,
    string? Weekday = null,
    string? Time = null,
    [property: JsonPropertyName("tagid")] long? TagId = null,
    [property: JsonPropertyName("webhookid")] long? WebhookId = null);

internal static class StepTypes
{
    public const string Email = "email";
    public const string Wait = "wait";
    public const string Tag = "tag";
    public const string Untag = "untag";
    public const string Webhook = "webhook";
}

/// <summary>Reads, checks and stores a campaign's steps, and works out when a wait ends.</summary>
internal static class CampaignSteps
{
    public const int MaxSteps = 100;
    public const string UnsubscribeUrl = "unsubscribe_url";

    /// <summary>The longest wait: a year.</summary>
    public const long MaxWaitSeconds = 366L * 24 * 3600;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(IReadOnlyList<CampaignStep> steps) => JsonSerializer.Serialize(steps, Json);

    public static List<CampaignStep> Parse(string stored) => JsonSerializer.Deserialize<List<CampaignStep>>(stored, Json) ?? [];

    /// <summary>
    /// The steps in their stored form (types lower-case, only the keys each type uses), or a sentence
    /// saying what is wrong with the first that is not usable. Tags and webhooks are checked against
    /// the account by the caller.
    /// </summary>
    public static (List<CampaignStep> Steps, string? Problem) Check(IReadOnlyList<CampaignStep?>? steps)
    {
        if (steps is not { Count: > 0 }) return ([], "The key \"steps\" is required: a list of at least one step (email, wait, tag, untag or webhook).");
        if (steps.Count > MaxSteps) return ([], $"A campaign has at most {MaxSteps} steps.");
        var checkedSteps = new List<CampaignStep>(steps.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            var at = $"steps[{i}]";
            var step = steps[i];
            var (result, problem) = step?.Type?.Trim().ToLowerInvariant() switch
            {
                StepTypes.Email => CheckEmail(step, at),
                StepTypes.Wait => CheckWait(step, at),
                StepTypes.Tag or StepTypes.Untag => step.TagId is { } tagId
                    ? (new CampaignStep(step.Type.Trim().ToLowerInvariant(), TagId: tagId), null)
                    : (null, $"The key \"{at}[tagid]\" is required: the tag to {step.Type.Trim().ToLowerInvariant()}."),
                StepTypes.Webhook => step.WebhookId is { } webhookId
                    ? (new CampaignStep(StepTypes.Webhook, WebhookId: webhookId), null)
                    : (null, $"The key \"{at}[webhookid]\" is required: the webhook to call."),
                _ => ((CampaignStep?)null, (string?)$"The key \"{at}[type]\" must be one of email, wait, tag, untag, webhook."),
            };
            if (problem is not null) return ([], problem);
            checkedSteps.Add(result!);
        }
        return (checkedSteps, null);
    }

    private static (CampaignStep?, string?) CheckEmail(CampaignStep step, string at)
    {
        var subject = step.Subject?.Trim() ?? "";
        var text = step.Text ?? "";
        var html = step.Html ?? "";
        if (subject.Length == 0) return (null, $"The key \"{at}[subject]\" is required: the email's subject.");
        if (subject.Length > 250) return (null, $"The key \"{at}[subject]\" may have at most 250 characters.");
        if (text.Trim().Length == 0 && html.Trim().Length == 0)
            return (null, $"The step {at} needs \"text\" or \"html\" (or both): the email's content.");
        foreach (var (key, template) in new[] { ("subject", subject), ("text", text), ("html", html) })
            if (ConfirmationTemplate.SyntaxProblem($"{at}[{key}]", template) is { } problem) return (null, problem);
        return (new CampaignStep(StepTypes.Email, subject, text, html), null);
    }

    private static (CampaignStep?, string?) CheckWait(CampaignStep step, string at)
    {
        if (step.Seconds is { } seconds)
        {
            if (step.Weekday is not null || step.Time is not null)
                return (null, $"The step {at} waits either \"seconds\" or until a \"weekday\" and \"time\", not both.");
            return seconds is < 1 or > MaxWaitSeconds
                ? (null, $"The key \"{at}[seconds]\" must be a whole number from 1 to {MaxWaitSeconds} (a year).")
                : (new CampaignStep(StepTypes.Wait, Seconds: seconds), null);
        }
        if (step.Weekday is null && step.Time is null)
            return (null, $"The step {at} needs \"seconds\", or a \"weekday\" (monday … sunday, or daily) and a \"time\" (HH:MM in the account's time zone).");
        if (ParseWeekday(step.Weekday) is not { } weekday)
            return (null, $"The key \"{at}[weekday]\" must be monday, tuesday, wednesday, thursday, friday, saturday, sunday or daily.");
        if (ParseTime(step.Time) is null)
            return (null, $"The key \"{at}[time]\" must be a time of day as HH:MM, e.g. 09:00.");
        return (new CampaignStep(StepTypes.Wait, Weekday: weekday, Time: step.Time!.Trim()), null);
    }

    private static string? ParseWeekday(string? weekday)
    {
        var w = weekday?.Trim().ToLowerInvariant();
        // Names only: Enum.TryParse also takes numbers and lists, and "monday,friday" would be one day (Friday).
        return w == "daily" || Enum.GetNames<DayOfWeek>().Any(d => d.Equals(w, StringComparison.OrdinalIgnoreCase)) ? w : null;
    }

    private static TimeOnly? ParseTime(string? time) =>
        TimeOnly.TryParseExact(time?.Trim(), ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    /// <summary>When a wait that starts at <paramref name="nowUtc"/> ends: after its seconds, or at the next weekday and time (strictly later) in the account's zone.</summary>
    public static DateTime WaitEnds(CampaignStep wait, DateTime nowUtc, TimeZoneInfo zone)
    {
        if (wait.Seconds is { } seconds) return nowUtc.AddSeconds(seconds);
        var time = ParseTime(wait.Time) ?? TimeOnly.MinValue;
        var daily = wait.Weekday == "daily";
        var day = daily ? DayOfWeek.Sunday : Enum.Parse<DayOfWeek>(wait.Weekday!, ignoreCase: true);
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc), zone);
        for (var add = 0; add <= 8; add++)
        {
            var date = DateOnly.FromDateTime(local).AddDays(add);
            if (!daily && date.DayOfWeek != day) continue;
            var candidate = date.ToDateTime(time, DateTimeKind.Unspecified);
            // A time that the clock skips (a spring-forward gap) is taken an hour later.
            if (zone.IsInvalidTime(candidate)) candidate = candidate.AddHours(1);
            var utc = TimeZoneInfo.ConvertTimeToUtc(candidate, zone);
            if (utc > nowUtc) return utc;
        }
        return nowUtc.AddDays(7); // not reached: some day within 8 days always matches
    }
}
