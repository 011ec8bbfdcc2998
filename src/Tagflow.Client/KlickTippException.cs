using System.Globalization;
using System.Net;

namespace Tagflow.Client;

/// <summary>
/// The one exception the client throws for a failed call. <see cref="Kind"/> and <see cref="StatusCode"/> tell
/// failures apart; <see cref="ErrorCode"/> is the machine code of a refused (406) request; <see cref="UserMessage"/>
/// is a sentence to show an end user.
/// </summary>
public sealed class KlickTippException : Exception
{
    private KlickTippException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>What kind of failure this is.</summary>
    public KlickTippErrorKind Kind { get; private init; }

    /// <summary>The HTTP status of the answer; <see langword="null"/> when no answer arrived.</summary>
    public HttpStatusCode? StatusCode { get; private init; }

    /// <summary>For a refused request (406): the <c>error</c> number, such as 4 (unsubscribed) or 507 (email taken).</summary>
    public int? ErrorCode { get; private init; }

    /// <summary>For a refused request: the <c>code</c> that says why, when the server sends one (error 10 uses the error numbers).</summary>
    public int? SubCode { get; private init; }

    /// <summary>For a field error (8): the field's key, such as <c>field12</c> or <c>fieldBirthday</c>.</summary>
    public string? FieldKey { get; private init; }

    /// <summary>For a field error (8): the field's label, such as <c>Birthday</c>.</summary>
    public string? FieldLabel { get; private init; }

    /// <summary>For a field error (8): the value that was refused.</summary>
    public string? FieldValue { get; private init; }

    /// <summary>For a field error (8): why the value was refused, when the server says.</summary>
    public string? Reason { get; private init; }

    /// <summary>The sentences the server answered with (400, 401, 403, 404, 429), such as <c>API access denied.</c></summary>
    public IReadOnlyList<string> ServerMessages { get; private init; } = [];

    /// <summary>For 429: how long the server asked to wait.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>A sentence for an end user, such as "Invalid email address."</summary>
    public string UserMessage { get; private init; } = "";

    internal static KlickTippException FromAnswer(HttpStatusCode status, IReadOnlyList<string> messages, RefusalDetails? refusal, TimeSpan? retryAfter)
    {
        var kind = (int)status switch
        {
            400 => KlickTippErrorKind.BadRequest,
            401 => KlickTippErrorKind.WrongLogin,
            403 => KlickTippErrorKind.AccessDenied,
            404 => KlickTippErrorKind.NotFound,
            406 => KlickTippErrorKind.Refused,
            429 => KlickTippErrorKind.TooManyRequests,
            >= 500 => KlickTippErrorKind.ServerError,
            _ => KlickTippErrorKind.UnexpectedAnswer,
        };
        var userMessage = kind switch
        {
            // A 406 without an error number: the server's own sentence beats a generic one.
            KlickTippErrorKind.Refused => refusal is not null ? ErrorMessages.ForRefusal(refusal) : messages.Count > 0 ? messages[0] : ErrorMessages.Unknown(null),
            KlickTippErrorKind.TooManyRequests => retryAfter is { } wait
                ? string.Create(CultureInfo.InvariantCulture, $"Too many requests. Please try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} seconds.")
                : "Too many requests. Please try again later.",
            KlickTippErrorKind.ServerError => "The server could not complete the request. Please try again later.",
            // "Error: N" is reserved for refusal numbers; an unexpected status is in StatusCode.
            KlickTippErrorKind.UnexpectedAnswer => ErrorMessages.Unknown(null),
            _ => messages.Count > 0 ? messages[0] : DefaultSentence(kind),
        };
        var detail = refusal is null ? string.Join(" ", messages) : refusal.Describe();
        return new KlickTippException(string.Create(CultureInfo.InvariantCulture, $"{(int)status} {kind}: {userMessage}{(detail.Length > 0 && detail != userMessage ? " (" + detail + ")" : "")}"))
        {
            Kind = kind,
            StatusCode = status,
            ErrorCode = refusal?.Error,
            SubCode = refusal?.Code,
            FieldKey = refusal?.FieldKey,
            FieldLabel = refusal?.FieldLabel,
            FieldValue = refusal?.FieldValue,
            Reason = refusal?.Reason,
            ServerMessages = messages,
            RetryAfter = retryAfter,
            UserMessage = userMessage,
        };
    }

    internal static KlickTippException Unreachable(Uri? address, Exception inner) =>
        new($"No answer from {address?.GetLeftPart(UriPartial.Authority)}: {inner.Message}", inner)
        {
            Kind = KlickTippErrorKind.Unreachable,
            UserMessage = "The server could not be reached. Please try again later.",
        };

    internal static KlickTippException UnexpectedAnswer(string problem, Exception? inner = null) =>
        new($"The server's answer could not be read: {problem}", inner)
        {
            Kind = KlickTippErrorKind.UnexpectedAnswer,
            UserMessage = ErrorMessages.Unknown(null),
        };

    private static string DefaultSentence(KlickTippErrorKind kind) => kind switch
    {
        KlickTippErrorKind.BadRequest => "The request could not be processed.",
        KlickTippErrorKind.WrongLogin => "Wrong username or password.",
        KlickTippErrorKind.AccessDenied => "API access denied.",
        KlickTippErrorKind.NotFound => "There is no such entity.",
        _ => ErrorMessages.Unknown(null),
    };
}

/// <summary>The 406 envelope: <c>{"error":N,"code":M,"field":…,"name":…,"field_value":…,"reason":…}</c>.</summary>
internal sealed record RefusalDetails(int Error, int? Code, string? FieldLabel, string? FieldKey, string? FieldValue, string? Reason)
{
    public string Describe()
    {
        var parts = new List<string> { "error " + Error.ToString(CultureInfo.InvariantCulture) };
        if (Code is { } code) parts.Add("code " + code.ToString(CultureInfo.InvariantCulture));
        if (FieldKey is not null || FieldLabel is not null) parts.Add($"field {FieldKey} '{FieldLabel}'");
        if (FieldValue is not null) parts.Add($"value '{FieldValue}'");
        if (Reason is not null) parts.Add("reason: " + Reason);
        return string.Join(", ", parts);
    }
}
