using System.Text.Json.Serialization;

namespace Tagflow.Wire;

/// <summary>The 406 envelope: the request was understood but refused by a business rule.</summary>
internal sealed record WireError(
    [property: JsonPropertyName("error")] int Error,
    [property: JsonPropertyName("code")] int? Code = null,
    [property: JsonPropertyName("field")] string? Field = null,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("field_value")] string? FieldValue = null,
    [property: JsonPropertyName("reason")] string? Reason = null);

/// <summary>Every answer Tagflow gives on the wire is made here.</summary>
internal static class WireResults
{
    public const string NoSuchEntity = "There is no such entity.";
    public const string ApiAccessDenied = "API access denied.";

    /// <summary>200 with the value: a <see cref="WireObject"/>, a map or a list.</summary>
    public static IResult Ok(object value) => new WireAnswer(value);

    /// <summary>
    /// 200 with one value: JSON writes it as a list of one (<c>["https://…"]</c>), PHP's format bare
    /// (see <see cref="WireAnswer"/>).
    /// </summary>
    public static IResult Single(object value) => new WireAnswer(value, bare: true);

    /// <summary><c>[true]</c>: the answer to action calls.</summary>
    public static IResult True() => Single(true);

    /// <summary>202: the request is taken and goes on in the background; <paramref name="value"/> says where it stands.</summary>
    public static IResult Accepted(object value) => new WireAnswer(value, StatusCodes.Status202Accepted);

    /// <summary>A new id as KlickTipp answers it, a number in a list: <c>[49]</c>.</summary>
    public static IResult Id(long id) => Single(id);

    public static IResult BadRequest(string message) => Messages(StatusCodes.Status400BadRequest, message);
    public static IResult Forbidden(string message) => Messages(StatusCodes.Status403Forbidden, message);
    public static IResult NotFound() => Messages(StatusCodes.Status404NotFound, NoSuchEntity);

    public static IResult Refused(int error, int? code = null) => Refused(new WireError(error, code));
    public static IResult Refused(WireError error) => new WireAnswer(error, StatusCodes.Status406NotAcceptable);

    /// <summary>400, 401, 403 and 404 carry a list of strings.</summary>
    public static IResult Messages(int status, string message) => new WireAnswer(new[] { message }, status);

    /// <summary>429 with <c>Retry-After</c>, the wait also said in the sentence (see <see cref="WriteTooManyRequestsAsync"/>).</summary>
    public static IResult TooManyRequests(TimeSpan retryAfter, string reason) => new TooManyRequestsResult(retryAfter, reason);

    private sealed class TooManyRequestsResult(TimeSpan retryAfter, string reason) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteTooManyRequestsAsync(httpContext.Response, retryAfter, reason);
    }

    /// <summary>429 (or another status that asks to come back later) with <c>Retry-After</c>, the wait also said in the sentence.</summary>
    public static Task WriteTooManyRequestsAsync(HttpResponse response, TimeSpan retryAfter, string reason, int status = StatusCodes.Status429TooManyRequests)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WriteMessagesAsync(response, status, $"{reason} Try again in {seconds} {(seconds == 1 ? "second" : "seconds")}.");
    }

    public static Task WriteMessagesAsync(HttpResponse response, int status, string message) =>
        WireAnswer.WriteAsync(response, new[] { message }, status);
}

/// <summary>Error numbers of the 406 envelope (WIRE.md, "Errors"), plus Tagflow's own from 600 up.</summary>
internal static class WireErrors
{
    public const int Unsubscribed = 4;
    public const int InvalidEmail = 5;
    public const int ConfirmationNotSent = 6;
    public const int EmailNotFound = 7;
    public const int InvalidFieldValue = 8;
    public const int SmsNumberTaken = 9;
    public const int UpdateFailed = 10;
    public const int InvalidPhoneNumber = 11;
    public const int Internal = 12;
    public const int Blocked = 30;
    public const int SmartTag = 31;
    public const int EmailOrSmsRequired = 32;
    public const int ContactNotFound = 401;
    public const int OptInProcessNotFound = 402;
    public const int TagNotFound = 403;
    public const int EmailTaken = 507;

    /// <summary>Tagflow: a tag of that name already exists in the account.</summary>
    public const int TagNameTaken = 601;

    /// <summary>Tagflow: the standard data fields cannot be renamed or deleted.</summary>
    public const int StandardField = 602;

    /// <summary>Tagflow: a data field of that name already exists in the account.</summary>
    public const int FieldNameTaken = 603;

    /// <summary>Tagflow: a data field's type cannot change.</summary>
    public const int FieldTypeFixed = 604;

    /// <summary>Tagflow: an opt-in process of that name already exists in the account.</summary>
    public const int ProcessNameTaken = 605;

    /// <summary>Tagflow: the predefined opt-in process cannot be renamed, made single opt-in or deleted.</summary>
    public const int PredefinedProcess = 606;

    /// <summary>Tagflow: the opt-in process is used by a listbuilding key (delete the key first).</summary>
    public const int ProcessInUse = 607;

    /// <summary>Tagflow: a campaign of that name already exists in the account.</summary>
    public const int CampaignNameTaken = 608;

    /// <summary>Tagflow: the account has no such webhook.</summary>
    public const int WebhookNotFound = 609;

    /// <summary>Tagflow: the tag starts or is used by a campaign or webhook (change or delete those first).</summary>
    public const int TagInUse = 610;

    /// <summary>Tagflow: the webhook is called by a campaign (change or delete the campaign first).</summary>
    public const int WebhookInUse = 611;

    /// <summary>KlickTipp: the listbuilding API key is not valid.</summary>
    public const int InvalidApiKey = 100;
}
