using System.Net;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Contacts;

/// <summary>An imported row, checked as the API checks a contact: ready for the writer.</summary>
internal sealed class ImportRow
{
    public long Line { get; init; }
    public EmailAddress? Email { get; init; }
    public string? Sms { get; init; }
    /// <summary>The status the file gives; null: as the opt-in process and the consent given decide.</summary>
    public ContactStatus? Status { get; init; }
    public BounceStatus? Bounce { get; init; }
    public required ProcessChoice List { get; init; }
    public DateTime? SignupAt { get; init; }
    public string? SignupIp { get; init; }
    public string? SignupSource { get; init; }
    public DateTime? OptInAt { get; init; }
    public string? OptInIp { get; init; }
    public DateTime? UnsubscribedAt { get; init; }
    public string? UnsubscribedIp { get; init; }
    /// <summary>The field values to store, by key (an import never clears a value: an empty cell is no value).</summary>
    public required IReadOnlyDictionary<string, string> Fields { get; init; }
    /// <summary>The manual tags by name, each once, as given (trimmed).</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>The status a new contact gets: the file's; else subscribed when it gives the consent or the process is single opt-in; else pending.</summary>
    public ContactStatus NewStatus => Status ?? (OptInAt is not null || List.UseSingleOptIn ? ContactStatus.Subscribed : ContactStatus.Pending);
}

/// <summary>A row an import refuses: its line, the column (as the file names it), the API's error code and a sentence.</summary>
internal sealed record ImportProblem(long Line, string Column, int Code, string Message);

/// <summary>Checks imported rows by the API's rules: address, SMS number, data fields, blocklist, opt-in process; and the consent columns.</summary>
internal static class ImportRows
{
    /// <summary>The API's sentence for each error an import reports.</summary>
    public static string Message(int code) => code switch
    {
        WireErrors.Unsubscribed => "The email address is unsubscribed; an import does not subscribe it again.",
        WireErrors.InvalidEmail => "Invalid email address.",
        WireErrors.InvalidFieldValue => "Invalid value.",
        WireErrors.SmsNumberTaken => "The SMS number is already assigned to another contact.",
        WireErrors.InvalidPhoneNumber => "Invalid phone number.",
        WireErrors.Blocked => "The email address is blocked.",
        WireErrors.EmailOrSmsRequired => "Either an email address or an SMS number is required.",
        WireErrors.OptInProcessNotFound => "Opt-in process not found.",
        _ => "Refused.",
    };

    public static ImportProblem Problem(long line, string column, int code, string? detail = null) =>
        new(line, column, code, detail is null ? Message(code) : $"{Message(code)} {detail}");

    /// <summary>The row ready to write, or why it is refused.</summary>
    public static async ValueTask<(ImportRow? Row, ImportProblem? Problem)> CheckAsync(TagflowDb db, ImportLine line, ReferenceData refs,
        ImportOptions options, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var n = line.Line;
        if (line.Unreadable is var (unreadableColumn, why)) return (null, new ImportProblem(n, unreadableColumn, WireErrors.InvalidFieldValue, why));
        string? emailText = null, smsText = null, status = null, bounce = null, listText = null, signupSource = null, tagText = null;
        string? signupAt = null, signupIp = null, optInAt = null, optInIp = null, unsubscribedAt = null, unsubscribedIp = null;
        var columns = new Dictionary<ImportColumnKind, string>();
        Dictionary<string, string?>? fields = null;
        Dictionary<string, string>? fieldHeaders = null;
        foreach (var (column, value) in line.Cells)
        {
            if (Unstorable(value, column.Kind != ImportColumnKind.Field) is { } control)
                return (null, Problem(n, column.Header, WireErrors.InvalidFieldValue, control));
            if (column.Kind == ImportColumnKind.Field)
            {
                (fields ??= [])[column.FieldKey!] = value;
                (fieldHeaders ??= [])[column.FieldKey!] = column.Header;
                continue;
            }
            columns[column.Kind] = column.Header;
            var text = value.Trim();
            switch (column.Kind)
            {
                case ImportColumnKind.Email: emailText = text; break;
                case ImportColumnKind.SmsPhone: smsText = text; break;
                case ImportColumnKind.Status: status = text; break;
                case ImportColumnKind.Bounce: bounce = text; break;
                case ImportColumnKind.ListId: listText = text; break;
                case ImportColumnKind.SignupAt: signupAt = text; break;
                case ImportColumnKind.SignupIp: signupIp = text; break;
                case ImportColumnKind.SignupSource: signupSource = text; break;
                case ImportColumnKind.OptInAt: optInAt = text; break;
                case ImportColumnKind.OptInIp: optInIp = text; break;
                case ImportColumnKind.UnsubscribedAt: unsubscribedAt = text; break;
                case ImportColumnKind.UnsubscribedIp: unsubscribedIp = text; break;
                case ImportColumnKind.Tags: tagText = value; break;
            }
        }
        string Header(ImportColumnKind kind) => columns.GetValueOrDefault(kind, "");

        if (emailText is null && smsText is null) return (null, Problem(n, "", WireErrors.EmailOrSmsRequired));
        EmailAddress? email = null;
        if (emailText is not null && (email = EmailAddress.Parse(emailText)) is null) return (null, Problem(n, Header(ImportColumnKind.Email), WireErrors.InvalidEmail));
        string? sms = null;
        if (smsText is not null && (sms = PhoneNumber.Normalize(smsText)) is null) return (null, Problem(n, Header(ImportColumnKind.SmsPhone), WireErrors.InvalidPhoneNumber));

        var (values, fieldError) = refs.Fields.Check(fields);
        if (fieldError is not null)
        {
            var key = fieldError.Name ?? "";
            return (null, Problem(n, fieldHeaders?.GetValueOrDefault(key) ?? key, WireErrors.InvalidFieldValue, fieldError.Reason));
        }

        ContactStatus? parsedStatus = null;
        if (status is not null && (parsedStatus = TransferColumns.ParseStatus(status)) is null)
            return (null, Problem(n, Header(ImportColumnKind.Status), WireErrors.InvalidFieldValue, "A status is Subscribed, Opt-In Pending or Unsubscribed."));
        BounceStatus? parsedBounce = null;
        if (bounce is not null && (parsedBounce = TransferColumns.ParseBounce(bounce)) is null)
            return (null, Problem(n, Header(ImportColumnKind.Bounce), WireErrors.InvalidFieldValue, "A bounce is Not Bounced, Soft Bounce, Hard Bounce or Spam Bounce."));

        long? listId = options.ListId;
        if (listText is not null)
        {
            if (!long.TryParse(listText, out var id)) return (null, Problem(n, Header(ImportColumnKind.ListId), WireErrors.OptInProcessNotFound, "listid is the id of an opt-in process (GET /list)."));
            listId = id == 0 ? null : id;
        }
        if (refs.Process(listId) is not { } list) return (null, Problem(n, Header(ImportColumnKind.ListId), WireErrors.OptInProcessNotFound));

        var times = new DateTime?[3];
        (string? Text, ImportColumnKind Kind)[] timeCells = [(signupAt, ImportColumnKind.SignupAt), (optInAt, ImportColumnKind.OptInAt), (unsubscribedAt, ImportColumnKind.UnsubscribedAt)];
        for (var i = 0; i < timeCells.Length; i++)
        {
            if (timeCells[i].Text is not { } t) continue;
            if (!TransferColumns.TryParseTime(t, zone, out var utc))
                return (null, Problem(n, Header(timeCells[i].Kind), WireErrors.InvalidFieldValue,
                    "A time is ISO 8601 (2024-05-31T14:30:00+02:00; without an offset, in the account's time zone), DD.MM.YYYY HH:MM:SS, or Unix seconds."));
            times[i] = utc;
        }
        (string? Text, ImportColumnKind Kind)[] ipCells = [(signupIp, ImportColumnKind.SignupIp), (optInIp, ImportColumnKind.OptInIp), (unsubscribedIp, ImportColumnKind.UnsubscribedIp)];
        var ips = new string?[3];
        for (var i = 0; i < ipCells.Length; i++)
        {
            if (ipCells[i].Text is not { } t) continue;
            if (!IPAddress.TryParse(t, out var ip)) return (null, Problem(n, Header(ipCells[i].Kind), WireErrors.InvalidFieldValue, "An IP address is IPv4 (192.0.2.1) or IPv6."));
            ips[i] = (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString();
        }
        if (signupSource is { Length: > 32 }) return (null, Problem(n, Header(ImportColumnKind.SignupSource), WireErrors.InvalidFieldValue, "A sign-up source has at most 32 characters."));

        var tags = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in (IEnumerable<string>?)line.TagList ?? (tagText is null ? [] : tagText.Split(options.TagSeparator)))
        {
            var name = raw.Trim();
            if (name.Length == 0) continue;
            if (name.Length > Tag.MaxNameLength || WireText.LineProblem("tags", name) is not null)
                return (null, Problem(n, Header(ImportColumnKind.Tags), WireErrors.InvalidFieldValue,
                    $"A tag name has at most {Tag.MaxNameLength} characters and no control characters: \"{WireText.Echo(name)}\"."));
            if (names.Add(Tag.Normalize(name))) tags.Add(name);
        }

        if (email is not null && await refs.IsBlockedAsync(db, email, cancellationToken)) return (null, Problem(n, Header(ImportColumnKind.Email), WireErrors.Blocked));
        return (new ImportRow
        {
            Line = n, Email = email, Sms = sms, Status = parsedStatus, Bounce = parsedBounce, List = list,
            SignupAt = times[0], OptInAt = times[1], UnsubscribedAt = times[2],
            SignupIp = ips[0], OptInIp = ips[1], UnsubscribedIp = ips[2],
            SignupSource = signupSource, Fields = values.Where(v => v.Value.Length > 0).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal), Tags = tags,
        }, null);
    }

    /// <summary>Why a cell cannot be stored: a NUL or control character (in a single-line column, tabs and line breaks too).</summary>
    private static string? Unstorable(string value, bool singleLine)
    {
        foreach (var c in value)
        {
            if (WireText.IsControl(c) && (singleLine || c is not ('\t' or '\n' or '\r')))
                return $"The value contains a control character (U+{(int)c:X4}).";
        }
        return null;
    }
}
