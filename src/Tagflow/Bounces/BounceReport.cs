using System.Text.RegularExpressions;
using MimeKit;
using Tagflow.Delivery;

namespace Tagflow.Bounces;

/// <summary>
/// What a message that came back says: a hard or soft bounce or a complaint, its status code and the
/// receiving server's words, the bounce tokens it carries (best first: the envelope recipient, then the
/// headers of the copy of the email it carries, then any mention) and the addresses it names as the
/// recipient (for a token made before its contact was stored).
/// </summary>
internal sealed partial record BounceReport(BounceKind Kind, string Status, string Diagnostic, IReadOnlyList<BounceToken> Tokens, IReadOnlyList<string> Recipients)
{
    /// <summary>
    /// Reads a message sent to a bounce address: a delivery status notification (RFC 3464), a feedback
    /// report (ARF, RFC 5965), or one of the plain-text bounces many servers send, naming a status code
    /// or saying in words that the user is unknown or the mailbox full. Null for anything else: an
    /// auto-reply (no report, nor from a mailer daemon), a report of a delay or a delivery, a message with no token.
    /// </summary>
    public static BounceReport? Read(MimeMessage message, IEnumerable<string> envelopeRecipients)
    {
        var entities = Walk(message.Body, 0).ToList();
        var originals = entities.OfType<MessagePart>().Select(p => p.Message).OfType<MimeMessage>().ToList();
        var recipients = new List<string>();
        var found = Complaint(entities, recipients) ?? DeliveryStatus(entities, recipients) ?? PlainText(message, entities);
        if (found is not var (kind, status, diagnostic)) return null;
        foreach (var original in originals) recipients.AddRange(original.To.Mailboxes.Select(m => m.Address));
        recipients.AddRange(AddressMention().Matches(BounceText(entities)).Select(m => m.Groups[1].Value));

        var mentions = envelopeRecipients
            .Concat(new[] { "Delivered-To", "X-Original-To", "Envelope-To", "To" }.SelectMany(h => message.Headers.Where(x => x.Field.Equals(h, StringComparison.OrdinalIgnoreCase)).Select(x => x.Value)))
            .Concat(originals.SelectMany(o => o.Headers.Where(h => h.Field.Equals(MailMessages.BounceHeader, StringComparison.OrdinalIgnoreCase) || h.Id == HeaderId.ReturnPath)
                .Select(h => h.Value)))
            .Concat(entities.OfType<TextPart>().Select(t => t.Text))
            .Concat(originals.Select(o => o.Headers.ToString()));
        var tokens = mentions.SelectMany(m => TokenMention().Matches(m ?? "").Select(t => t.Value)).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(BounceToken.Parse).OfType<BounceToken>().ToList();
        if (tokens.Count == 0) return null;
        return new BounceReport(kind, Cut(status, Bounce.MaxStatus), Cut(diagnostic, Bounce.MaxDiagnostic), tokens,
            recipients.Select(r => r.Trim().Trim('<', '>')).Where(r => r.Contains('@')).Distinct(StringComparer.OrdinalIgnoreCase).ToList());
    }

    /// <summary>A feedback report: a complaint, unless it says the message is not spam.</summary>
    private static (BounceKind, string, string)? Complaint(List<MimeEntity> entities, List<string> recipients)
    {
        if (entities.OfType<MessageFeedbackReport>().FirstOrDefault() is not { } report) return null;
        var type = report.Fields["Feedback-Type"]?.Trim().ToLowerInvariant() ?? "abuse";
        if (type == "not-spam") return null;
        recipients.AddRange(report.Fields.Where(f => f.Field.Equals("Original-Rcpt-To", StringComparison.OrdinalIgnoreCase)
            || f.Field.Equals("Removal-Recipient", StringComparison.OrdinalIgnoreCase)).Select(f => f.Value));
        return (BounceKind.Complaint, type, $"Feedback-Type: {type}" + (report.Fields["User-Agent"] is { } agent ? $" ({agent.Trim()})" : ""));
    }

    /// <summary>A delivery status notification: the first recipient that failed (a delay or a delivery is no bounce).</summary>
    private static (BounceKind, string, string)? DeliveryStatus(List<MimeEntity> entities, List<string> recipients)
    {
        if (entities.OfType<MessageDeliveryStatus>().FirstOrDefault() is not { } dsn) return null;
        foreach (var group in dsn.StatusGroups.Skip(1))
        {
            var status = group["Status"]?.Trim() ?? "";
            var action = group["Action"]?.Trim().ToLowerInvariant() ?? (status.StartsWith('5') ? "failed" : "");
            if (action != "failed" || KindOf(status) is not { } kind) continue;
            foreach (var field in new[] { "Final-Recipient", "Original-Recipient" })
                if (group[field] is { } recipient) recipients.Add(recipient[(recipient.IndexOf(';', StringComparison.Ordinal) + 1)..]);
            return (kind, status, group["Diagnostic-Code"]?.Trim() ?? status);
        }
        return null;
    }

    /// <summary>
    /// A bounce in words, as many servers send (the sender a mailer daemon or postmaster, or the subject
    /// saying it could not be delivered): the status code of the server's answer it quotes
    /// (<c>550 5.1.1</c>, <c>554:</c>), else what it says (user unknown, mailbox full).
    /// </summary>
    private static (BounceKind, string, string)? PlainText(MimeMessage message, List<MimeEntity> entities)
    {
        var from = message.From.Mailboxes.FirstOrDefault()?.LocalPart ?? "";
        if (!DaemonSender().IsMatch(from) && !BounceSubject().IsMatch(message.Subject ?? "")) return null;
        var text = BounceText(entities);
        if (MailboxFull().Match(text) is { Success: true } full) return (BounceKind.Soft, "4.2.2", Line(text, full.Index));
        if (ReplyCode().Match(text) is { Success: true } reply)
        {
            var status = reply.Groups["enhanced"].Success ? reply.Groups["enhanced"].Value : $"{reply.Groups["basic"].Value[0]}.0.0";
            return KindOf(status) is { } kind ? (kind, status, Line(text, reply.Index)) : null;
        }
        if (UserUnknown().Match(text) is { Success: true } unknown) return (BounceKind.Hard, "5.1.1", Line(text, unknown.Index));
        return null;
    }

    /// <summary>5.x.x is a hard bounce, but a full mailbox (5.2.2) only a soft one, as is 4.x.x.</summary>
    private static BounceKind? KindOf(string status) =>
        status.StartsWith("5.2.2", StringComparison.Ordinal) ? BounceKind.Soft
        : status.StartsWith("5.", StringComparison.Ordinal) ? BounceKind.Hard
        : status.StartsWith("4.", StringComparison.Ordinal) ? BounceKind.Soft
        : null;

    /// <summary>The report's own words: its text parts outside the copy of the email it carries.</summary>
    private static string BounceText(List<MimeEntity> entities) => string.Join("\n", entities.OfType<TextPart>().Select(t => t.Text));

    private static string Line(string text, int index)
    {
        var start = text.LastIndexOf('\n', index) + 1;
        var end = text.IndexOf('\n', index);
        return text[start..(end < 0 ? text.Length : end)].Trim();
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];

    /// <summary>The parts of the report itself, not those of the email it carries (a <see cref="MessagePart"/> is not entered).</summary>
    private static IEnumerable<MimeEntity> Walk(MimeEntity? entity, int depth)
    {
        if (entity is null || depth > 8) yield break;
        yield return entity;
        if (entity is not Multipart multipart) yield break;
        foreach (var child in multipart)
            foreach (var inner in Walk(child, depth + 1)) yield return inner;
    }

    [GeneratedRegex(@"\b[0-9]{1,19}-[0-9]{1,19}-[a-z2-7]{8}-[a-z2-7]{16}\b", RegexOptions.IgnoreCase)]
    private static partial Regex TokenMention();

    [GeneratedRegex(@"<?\b([^\s<>""'@]+@[a-z0-9.-]+\.[a-z]{2,})\b>?", RegexOptions.IgnoreCase)]
    private static partial Regex AddressMention();

    [GeneratedRegex(@"^(mailer-daemon|postmaster|mail-daemon|mailer|bounces?)$", RegexOptions.IgnoreCase)]
    private static partial Regex DaemonSender();

    [GeneratedRegex(@"undeliver|not (be )?delivered|delivery (status|failure|has failed|failed|problem)|returned mail|failure notice|mail delivery failed|delivery notification",
        RegexOptions.IgnoreCase)]
    private static partial Regex BounceSubject();

    [GeneratedRegex(@"\b(?<basic>[45][0-5][0-9])(?:[ -](?<enhanced>[45]\.[0-9]{1,3}\.[0-9]{1,3})\b|:\s|\s+(?=[a-z#]))", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyCode();

    [GeneratedRegex(@"mailbox (is )?full|over quota|quota exceeded|exceeded (the |its )?(storage|quota)|insufficient (system )?storage", RegexOptions.IgnoreCase)]
    private static partial Regex MailboxFull();

    [GeneratedRegex(@"user unknown|unknown user|no such (user|mailbox|recipient)|does not exist|doesn't have a .* account|invalid recipient|recipient (address )?rejected|mailbox unavailable",
        RegexOptions.IgnoreCase)]
    private static partial Regex UserUnknown();
}
