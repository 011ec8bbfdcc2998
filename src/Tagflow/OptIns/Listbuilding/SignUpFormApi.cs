using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Fields;
using Tagflow.Wire;

namespace Tagflow.OptIns;

/// <summary>
/// A listbuilding key's hosted sign-up form, <c>/f/{token}</c>, for visitors (no credentials): GET
/// shows it, POST signs the visitor in through the same path as <c>POST /subscriber/signin</c>
/// (<see cref="ListbuildingSignIn"/>: the key's process, tag and SmartTag, the same rules and
/// the same per-key and per-address limits) and redirects (303) to where a sign-in's answer points.
/// A refused sign-up shows the form again with what to correct, and stores nothing. The POST also
/// takes the snippet pasted into other websites, so it carries no antiforgery token: it does nothing
/// a visitor could not do on the page itself. A filled honeypot is answered as a success and stores
/// nothing. An unknown or disabled key's token answers 404.
/// </summary>
internal static partial class SignUpFormApi
{
    public const string Path = "/f/";

    public static void MapSignUpFormApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path + "{token}", ShowAsync).ExcludeFromDescription();
        app.MapPost(Path + "{token}", SignUpAsync).ExcludeFromDescription().DisableAntiforgery();
    }

    /// <summary>The address of a key's hosted form on this server, for links and the snippet.</summary>
    public static string Url(HttpContext http, ListbuildingKey key) => OptInPages.Url(http, Path + key.FormToken);

    private static async Task<IResult> ShowAsync(string token, HttpContext http, ListbuildingSignIn signIn, TagflowDb db, CancellationToken cancellationToken)
    {
        if (await signIn.FindByFormTokenAsync(token, cancellationToken) is not { } holder) return NotFound(http);
        var catalog = await FieldCatalog.LoadAsync(db, holder.Account.Id, cancellationToken);
        return Html(http, SignUpFormHtml.Page(SignUpFormHtml.Inputs(holder.Key, catalog), new Dictionary<string, string>(), null));
    }

    private static async Task<IResult> SignUpAsync(string token, HttpContext http, ListbuildingSignIn signIn, SignInLimits limits, TagflowDb db,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (await signIn.FindByFormTokenAsync(token, cancellationToken) is not { } holder) return NotFound(http);
        var key = holder.Key;
        if (!signIn.Admit(http, key))
            return TooMany(http, limits.RetryAfter(http) ?? TimeSpan.FromMinutes(1), "Too many sign-ups from your address or through this form. Please wait a minute and try again.");
        if (!http.Request.HasFormContentType)
            return Html(http, SignUpFormHtml.Message("Not a form", "Send the sign-up form from its page."), StatusCodes.Status400BadRequest);
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return Html(http, SignUpFormHtml.Message("The form could not be read", "Send the sign-up form from its page again."), StatusCodes.Status400BadRequest);
        }

        if (!string.IsNullOrEmpty(form[SignUpFormHtml.HoneypotName]))
        {
            // A bot: it gets the answer a person gets, so it learns nothing, and nothing is stored.
            LogHoneypot(loggers.CreateLogger("Tagflow.OptIns.SignUpForm"), key.Id, ChangeOrigin.ClientIp(http));
            return SeeOther(http, await signIn.NextUrlAsync(http, key, null, cancellationToken));
        }

        var catalog = await FieldCatalog.LoadAsync(db, holder.Account.Id, cancellationToken);
        var inputs = SignUpFormHtml.Inputs(key, catalog);
        var values = inputs.ToDictionary(i => i.Name, i => form[i.Name].ToString(), StringComparer.Ordinal);
        var email = values[SignUpFormHtml.EmailName].Trim();
        if (email.Length == 0) return Refused(http, inputs, values, "Please enter your email address.");

        // Only the form's own fields, and only those filled in: an empty input means "not given", never
        // "clear what is stored", since anyone may send the form with anyone's address.
        var zone = Principal.Zone(holder.Account.TimeZone);
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (input.Field is not { } field) continue;
            var (stored, problem) = FieldInputs.ToStored(field.Type, values[input.Name], zone);
            if (problem is not null) return Refused(http, inputs, values, $"{field.Label}: {problem}");
            if (stored.Length > 0) fields[field.Key] = stored;
        }
        var sms = key.FormAsksSms && values.TryGetValue(SignUpFormHtml.SmsName, out var number) && number.Trim().Length > 0 ? number.Trim() : null;

        var (result, next) = await signIn.SignInAsync(http, holder, FormSource(key), email, sms, fields, cancellationToken);
        if (result.Done) return SeeOther(http, next);
        if (result.RetryAfter is { } wait) return TooMany(http, wait, result.Reason);
        var refusal = result.Refusal!;
        return Refused(http, inputs, values, VisitorText(refusal, catalog),
            refusal.Error == WireErrors.ConfirmationNotSent ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status400BadRequest);
    }

    /// <summary>The sign-up source a form's contacts record (the consent record's "source").</summary>
    public static string FormSource(ListbuildingKey key) => $"Form #{key.Id}";

    /// <summary>The refusals of the shared rules, said to the visitor (the API answers them as numbers, the app to the account's owner).</summary>
    private static string VisitorText(WireError refusal, FieldCatalog catalog) => refusal.Error switch
    {
        WireErrors.InvalidEmail => "This is not a valid email address. Please check it.",
        WireErrors.Unsubscribed => "This address has unsubscribed and cannot be signed up again through this form.",
        WireErrors.Blocked => "This address cannot be signed up.",
        WireErrors.InvalidFieldValue => refusal.Field is { } key && catalog.Find(key) is { } field
            ? $"{field.Label}: {refusal.Reason ?? "this value does not fit."}"
            : refusal.Reason ?? "A value does not fit its field.",
        WireErrors.InvalidPhoneNumber => "This is not a valid mobile number: write it with its country code, such as +49 171 1234567.",
        WireErrors.SmsNumberTaken => "This mobile number is already signed up with another address.",
        WireErrors.EmailTaken => "This address is already signed up under another contact.",
        WireErrors.EmailOrSmsRequired => "Please enter your email address.",
        WireErrors.ConfirmationNotSent => "The confirmation email could not be sent just now, so you are not signed up yet. Please try again later.",
        _ => $"The sign-up could not be completed (error {refusal.Error}). Please try again later.",
    };

    private static IResult Refused(HttpContext http, IReadOnlyList<SignUpInput> inputs, IReadOnlyDictionary<string, string> values, string error,
        int status = StatusCodes.Status400BadRequest) =>
        Html(http, SignUpFormHtml.Page(inputs, values, error), status);

    private static IResult NotFound(HttpContext http) => Html(http,
        SignUpFormHtml.Message("Form not found", "This sign-up form does not exist or is no longer in use."), StatusCodes.Status404NotFound);

    private static IResult TooMany(HttpContext http, TimeSpan wait, string text)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Html(http, SignUpFormHtml.Message("Too many sign-ups", text), StatusCodes.Status429TooManyRequests);
    }

    /// <summary>303: the browser follows with a GET, so reloading the next page does not send the form again.</summary>
    private static IResult SeeOther(HttpContext http, string url)
    {
        http.Response.Headers.Location = url;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IResult Html(HttpContext http, string html, int status = StatusCodes.Status200OK)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = SignUpFormHtml.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A sign-up through the form of listbuilding key {KeyId} from {Ip} filled the hidden field: answered as a success, nothing stored")]
    private static partial void LogHoneypot(ILogger logger, long keyId, string ip);
}
