using System.Globalization;
using System.Security.Claims;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.OptIns;

internal sealed record ListbuildingCreate(string? Name, long? ListId, long? TagId);

internal sealed record SignInRequest(string? ApiKey, string? Email, string? SmsNumber, Dictionary<string, string?>? Fields);

internal sealed record SignOutRequest(string? ApiKey, string? Email);

/// <summary>
/// Listbuilding per WIRE.md: a sign-up form, shop or webinar tool holds a key instead of account
/// credentials. <c>POST /subscriber/signin</c> adds or updates the contact through the key's
/// opt-in process, assigns the key's tag and its SmartTag, and answers where the visitor goes next
/// (the pending page, or the thank-you page once subscribed); <c>signout</c> removes the key's tag;
/// <c>signoff</c> unsubscribes. A wrong or disabled key is error 100, whatever the address. The three calls are
/// limited per key and per client address (<see cref="TagflowSettings.SignInsPerMinute"/>).
/// Managing keys (<c>/listbuilding</c>) is Tagflow's addition and needs account credentials.
/// </summary>
internal static class ListbuildingApi
{
    public static void MapListbuildingApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/listbuilding").WithTags("Listbuilding").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        admin.MapPost("/", CreateAsync).AcceptsWire<ListbuildingCreate>().Produces<Dictionary<string, string>>()
            .WithSummary("Create a listbuilding key for an opt-in process (listid) and optionally a manual tag (tagid); the key (apikey) is shown only in this answer.");
        admin.MapGet("/", ListAsync).Produces<Dictionary<string, string>[]>().WithSummary("The account's listbuilding keys (their first characters, never the whole key).");
        admin.MapPost("/{id:long}/disable", DisableAsync).Produces<Dictionary<string, string>>()
            .WithSummary("Tagflow: disable a listbuilding key: its calls answer error 100 and its hosted form 404 until it is enabled.");
        admin.MapPost("/{id:long}/enable", EnableAsync).Produces<Dictionary<string, string>>().WithSummary("Tagflow: enable a disabled listbuilding key again.");
        admin.MapDelete("/{id:long}", DeleteAsync).Produces<bool[]>().WithSummary("Delete a listbuilding key; its calls stop working at once.");

        var public_ = app.MapGroup("/subscriber").WithTags("Listbuilding").WithWireErrors();
        public_.MapPost("/signin", SignInAsync).AcceptsWire<SignInRequest>().Produces<string[]>().Produces<string[]>(StatusCodes.Status429TooManyRequests)
            .WithSummary("With a listbuilding key: add or update the contact through the key's process and tag it; answers [pending or thank-you URL].");
        public_.MapPost("/signout", SignOutAsync).AcceptsWire<SignOutRequest>().Produces<bool[]>().Produces<string[]>(StatusCodes.Status429TooManyRequests)
            .WithSummary("With a listbuilding key: remove the key's tag from the contact.");
        public_.MapPost("/signoff", SignOffAsync).AcceptsWire<SignOutRequest>().Produces<bool[]>().Produces<string[]>(StatusCodes.Status429TooManyRequests)
            .WithSummary("With a listbuilding key: unsubscribe the contact.");
    }

    private static async Task<IResult> CreateAsync(Body<ListbuildingCreate> body, HttpContext http, ClaimsPrincipal user, ListbuildingAdmin admin,
        CancellationToken cancellationToken)
    {
        var (name, listId, tagId) = body.Value;
        var (key, secret, refusal) = await admin.AddAsync(user.AccountId(), name, listId, tagId, cancellationToken);
        if (refusal is not null) return refusal.ToResult();
        var answer = View(http, key!);
        answer["apikey"] = secret;
        return WireResults.Ok(answer);
    }

    private static async Task<IResult> ListAsync(HttpContext http, ClaimsPrincipal user, ListbuildingAdmin admin, CancellationToken cancellationToken) =>
        WireResults.Ok((await admin.ListAsync(user.AccountId(), cancellationToken)).Select(k => View(http, k)).ToList());

    private static Task<IResult> DisableAsync(long id, HttpContext http, ClaimsPrincipal user, ListbuildingAdmin admin, CancellationToken cancellationToken) =>
        SetEnabledAsync(id, enabled: false, http, user, admin, cancellationToken);

    private static Task<IResult> EnableAsync(long id, HttpContext http, ClaimsPrincipal user, ListbuildingAdmin admin, CancellationToken cancellationToken) =>
        SetEnabledAsync(id, enabled: true, http, user, admin, cancellationToken);

    private static async Task<IResult> SetEnabledAsync(long id, bool enabled, HttpContext http, ClaimsPrincipal user, ListbuildingAdmin admin,
        CancellationToken cancellationToken) =>
        await admin.SetEnabledAsync(user.AccountId(), id, enabled, cancellationToken) && await admin.FindAsync(user.AccountId(), id, cancellationToken) is { } key
            ? WireResults.Ok(View(http, key))
            : WireResults.NotFound();

    private static async Task<IResult> DeleteAsync(long id, ClaimsPrincipal user, ListbuildingAdmin admin, CancellationToken cancellationToken) =>
        await admin.RemoveAsync(user.AccountId(), id, cancellationToken) ? WireResults.True() : WireResults.NotFound();

    private static WireObject View(HttpContext http, ListbuildingKey key) => new()
    {
        ["id"] = Id(key.Id),
        ["name"] = key.Name,
        ["listid"] = Id(key.ListId),
        ["tagid"] = key.TagId is { } tag ? Id(tag) : "",
        ["apikey_prefix"] = key.KeyPrefix,
        ["enabled"] = key.DisabledAt is null ? "1" : "0",
        ["formurl"] = SignUpFormApi.Url(http, key),
        ["created"] = new DateTimeOffset(key.CreatedAt, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static async Task<IResult> SignInAsync(Body<SignInRequest> body, HttpContext http, ListbuildingSignIn signIn, SignInLimits limits, CancellationToken cancellationToken)
    {
        var request = body.Value;
        if (await signIn.FindByKeyAsync(http, request.ApiKey, cancellationToken) is not { } holder) return Denied(http, limits);
        var (result, next) = await signIn.SignInAsync(http, holder, ListbuildingSignIn.ApiSource(holder.Key), request.Email, request.SmsNumber, request.Fields,
            cancellationToken);
        return result.Done ? WireResults.Single(next) : ContactsApi.Answer(result);
    }

    private static async Task<IResult> SignOutAsync(Body<SignOutRequest> body, HttpContext http, TagflowDb db, ContactChanges changes, ListbuildingSignIn signIn,
        SignInLimits limits, CancellationToken cancellationToken)
    {
        var (apiKey, email) = body.Value;
        if (await signIn.FindByKeyAsync(http, apiKey, cancellationToken) is not { } holder) return Denied(http, limits);
        var (key, account) = holder;
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address to sign out.");
        if (key.TagId is not { } tagId)
        {
            // Nothing to remove; the address is still checked, as with a tag.
            return await ContactQueries.IdByAddressAsync(db, account.Id, email, cancellationToken) is not null
                ? WireResults.True()
                : WireResults.Refused(WireErrors.EmailNotFound);
        }
        return ContactsApi.Answer(await changes.UntagAsync(ListbuildingSignIn.Origin(http, holder, ListbuildingSignIn.ApiSource(key)), email, tagId, manualOnly: false,
            cancellationToken));
    }

    private static async Task<IResult> SignOffAsync(Body<SignOutRequest> body, HttpContext http, ContactChanges changes, ListbuildingSignIn signIn, SignInLimits limits,
        CancellationToken cancellationToken)
    {
        var (apiKey, email) = body.Value;
        if (await signIn.FindByKeyAsync(http, apiKey, cancellationToken) is not { } holder) return Denied(http, limits);
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address to unsubscribe.");
        return ContactsApi.Answer(await changes.UnsubscribeAsync(ListbuildingSignIn.Origin(http, holder, ListbuildingSignIn.ApiSource(holder.Key)), email, cancellationToken));
    }

    private static IResult Denied(HttpContext http, SignInLimits limits) =>
        limits.RetryAfter(http) is { } wait
            ? WireResults.TooManyRequests(wait, "Too many listbuilding calls for this key or from this address.")
            : WireResults.Refused(WireErrors.InvalidApiKey);
}
