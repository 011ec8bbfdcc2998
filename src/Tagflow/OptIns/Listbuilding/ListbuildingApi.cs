using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.OptIns;

internal sealed record ListbuildingCreate(string? Name, long? ListId, long? TagId);

internal sealed record SignInRequest(string? ApiKey, string? Email, string? SmsNumber, Dictionary<string, string?>? Fields);

internal sealed record SignOutRequest(string? ApiKey, string? Email);

/// <summary>Creating, listing and deleting an account's listbuilding keys; for the API and the command line.</summary>
internal sealed class ListbuildingAdmin(TagflowDb db, TimeProvider clock)
{
    private const int MaxNameLength = 250;

    /// <summary>Creates a key for a process of the account (and optionally a manual tag); answers it with its secret, shown only now.</summary>
    public async Task<(ListbuildingKey? Key, string Secret, Refusal? Refusal)> AddAsync(long accountId, string? name, long? listId, long? tagId, CancellationToken cancellationToken)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name)) return (null, "", new("The key \"name\" is required: the name of the new listbuilding key, e.g. the form it is for."));
        if (name.Length > MaxNameLength) return (null, "", new($"The key \"name\" may have at most {MaxNameLength} characters."));
        if (WireText.LineProblem("name", name) is { } line) return (null, "", new(line));
        if (listId is not { } list) return (null, "", new("The key \"listid\" is required: the opt-in process contacts sign in through."));
        if (!await db.OptInProcesses.AnyAsync(p => p.Id == list && p.AccountId == accountId, cancellationToken))
            return (null, "", new($"There is no opt-in process {list} in the account.", WireErrors.OptInProcessNotFound));
        if (tagId is { } tag)
        {
            var kind = await db.Tags.Where(t => t.Id == tag && t.AccountId == accountId).Select(t => (TagKind?)t.Kind).SingleOrDefaultAsync(cancellationToken);
            if (kind is null) return (null, "", new($"There is no tag {tag} in the account.", WireErrors.TagNotFound));
            if (kind != TagKind.Manual) return (null, "", new("A listbuilding key assigns a manual tag; SmartTags are assigned by the system.", WireErrors.SmartTag));
        }
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var key = new ListbuildingKey
        {
            AccountId = accountId, Name = name, KeyHash = Secrets.LookupHash(secret), KeyPrefix = secret[..6],
            ListId = list, TagId = tagId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.ListbuildingKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret, null);
    }

    public Task<List<ListbuildingKey>> ListAsync(long accountId, CancellationToken cancellationToken) =>
        db.ListbuildingKeys.AsNoTracking().Where(k => k.AccountId == accountId).OrderBy(k => k.Id).ToListAsync(cancellationToken);

    /// <summary>Deletes a key; false if the account has no such key. Contacts keep its SmartTag.</summary>
    public async Task<bool> RemoveAsync(long accountId, long id, CancellationToken cancellationToken) =>
        await db.ListbuildingKeys.Where(k => k.Id == id && k.AccountId == accountId).ExecuteDeleteAsync(cancellationToken) > 0;
}

/// <summary>
/// Listbuilding per WIRE.md: a sign-up form, shop or webinar tool holds a key instead of account
/// credentials. <c>POST /subscriber/signin</c> adds or updates the contact through the key's
/// opt-in process, assigns the key's tag and its SmartTag, and answers where the visitor goes next
/// (the pending page, or the thank-you page once subscribed); <c>signout</c> removes the key's tag;
/// <c>signoff</c> unsubscribes. A wrong key is error 100, whatever the address. The three calls are
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
        admin.MapDelete("/{id:long}", DeleteAsync).Produces<bool[]>().WithSummary("Delete a listbuilding key; its calls stop working at once.");

        var public_ = app.MapGroup("/subscriber").WithTags("Listbuilding").WithWireErrors();
        public_.MapPost("/signin", SignInAsync).AcceptsWire<SignInRequest>().Produces<string[]>().Produces<string[]>(StatusCodes.Status429TooManyRequests)
            .WithSummary("With a listbuilding key: add or update the contact through the key's process and tag it; answers [pending or thank-you URL].");
        public_.MapPost("/signout", SignOutAsync).AcceptsWire<SignOutRequest>().Produces<bool[]>().Produces<string[]>(StatusCodes.Status429TooManyRequests)
            .WithSummary("With a listbuilding key: remove the key's tag from the contact.");
        public_.MapPost("/signoff", SignOffAsync).AcceptsWire<SignOutRequest>().Produces<bool[]>().Produces<string[]>(StatusCodes.Status429TooManyRequests)
            .WithSummary("With a listbuilding key: unsubscribe the contact.");
    }

    private static async Task<IResult> CreateAsync(Body<ListbuildingCreate> body, ClaimsPrincipal user, ListbuildingAdmin admin, CancellationToken cancellationToken)
    {
        var (name, listId, tagId) = body.Value;
        var (key, secret, refusal) = await admin.AddAsync(user.AccountId(), name, listId, tagId, cancellationToken);
        if (refusal is not null) return refusal.ToResult();
        var answer = View(key!);
        answer["apikey"] = secret;
        return WireResults.Ok(answer);
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, ListbuildingAdmin admin, CancellationToken cancellationToken) =>
        WireResults.Ok((await admin.ListAsync(user.AccountId(), cancellationToken)).Select(View).ToList());

    private static async Task<IResult> DeleteAsync(long id, ClaimsPrincipal user, ListbuildingAdmin admin, CancellationToken cancellationToken) =>
        await admin.RemoveAsync(user.AccountId(), id, cancellationToken) ? WireResults.True() : WireResults.NotFound();

    private static WireObject View(ListbuildingKey key) => new()
    {
        ["id"] = Id(key.Id),
        ["name"] = key.Name,
        ["listid"] = Id(key.ListId),
        ["tagid"] = key.TagId is { } tag ? Id(tag) : "",
        ["apikey_prefix"] = key.KeyPrefix,
        ["created"] = new DateTimeOffset(key.CreatedAt, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static async Task<IResult> SignInAsync(Body<SignInRequest> body, HttpContext http, TagflowDb db, ContactChanges changes, SignInLimits limits,
        CancellationToken cancellationToken)
    {
        var request = body.Value;
        if (await FindKeyAsync(http, db, limits, request.ApiKey, cancellationToken) is not (var key, var account)) return Denied(http, limits);
        var result = await changes.AddOrUpdateAsync(Origin(http, key, account), new ContactInput(request.Email, request.SmsNumber, key.ListId, key.TagId, request.Fields),
            cancellationToken);
        if (!result.Done) return ContactsApi.Answer(result);
        var process = await db.OptInProcesses.AsNoTracking().SingleAsync(p => p.Id == key.ListId, cancellationToken);
        return WireResults.Single(OptInPages.NextUrl(http, process, result.Value!.Contact.Status == ContactStatus.Subscribed));
    }

    private static async Task<IResult> SignOutAsync(Body<SignOutRequest> body, HttpContext http, TagflowDb db, ContactChanges changes, SignInLimits limits, CancellationToken cancellationToken)
    {
        var (apiKey, email) = body.Value;
        if (await FindKeyAsync(http, db, limits, apiKey, cancellationToken) is not (var key, var account)) return Denied(http, limits);
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address to sign out.");
        if (key.TagId is not { } tagId)
        {
            // Nothing to remove; the address is still checked, as with a tag.
            return await ContactQueries.IdByAddressAsync(db, account.Id, email, cancellationToken) is not null
                ? WireResults.True()
                : WireResults.Refused(WireErrors.EmailNotFound);
        }
        return ContactsApi.Answer(await changes.UntagAsync(Origin(http, key, account), email, tagId, manualOnly: false, cancellationToken));
    }

    private static async Task<IResult> SignOffAsync(Body<SignOutRequest> body, HttpContext http, TagflowDb db, ContactChanges changes, SignInLimits limits, CancellationToken cancellationToken)
    {
        var (apiKey, email) = body.Value;
        if (await FindKeyAsync(http, db, limits, apiKey, cancellationToken) is not (var key, var account)) return Denied(http, limits);
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address to unsubscribe.");
        return ContactsApi.Answer(await changes.UnsubscribeAsync(Origin(http, key, account), email, cancellationToken));
    }

    /// <summary>A change through a listbuilding key: recorded as the key's sign-up source, and tagged with its SmartTag.</summary>
    private static ChangeOrigin Origin(HttpContext http, ListbuildingKey key, Account account) =>
        ChangeOrigin.ForRequest(http, Principal.Create(account, "Listbuilding", null), ChangeSource.Listbuilding) with
        {
            SignupSource = $"Listbuilding #{key.Id}",
            SmartTag = (SmartTags.ListbuildingKey(key.Id), SmartTags.ListbuildingName(key.Name)),
        };

    /// <summary>
    /// The key and its account, once the call is within the limits; null for a wrong key (or a limit
    /// reached, which <see cref="Denied"/> then says). A wrong key and an unknown account look the same.
    /// </summary>
    private static async Task<(ListbuildingKey Key, Account Account)?> FindKeyAsync(HttpContext http, TagflowDb db, SignInLimits limits, string? apiKey, CancellationToken cancellationToken)
    {
        var hash = Secrets.LookupHash(apiKey ?? "");
        if (!limits.Admit(http, hash)) return null;
        if (string.IsNullOrEmpty(apiKey)) return null;
        var found = await (
            from k in db.ListbuildingKeys
            join a in db.Accounts on k.AccountId equals a.Id
            where k.KeyHash == hash
            select new { Key = k, Account = a }).AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        return found is null ? null : (found.Key, found.Account);
    }

    private static IResult Denied(HttpContext http, SignInLimits limits) =>
        limits.RetryAfter(http) is { } wait
            ? WireResults.TooManyRequests(wait, "Too many listbuilding calls for this key or from this address.")
            : WireResults.Refused(WireErrors.InvalidApiKey);


}

/// <summary>
/// The limits of the listbuilding calls: so many per minute per key and as many per client address
/// (a fixed window each). The key is limited by its hash, so that guessing keys is limited by
/// address and a leaked key cannot flood an account.
/// </summary>
internal sealed class SignInLimits(TagflowSettings settings) : IDisposable
{
    private const string RefusedItem = "tagflow.signin.retry-after";

    private readonly PartitionedRateLimiter<string> _perAddress = Create(settings.SignInsPerMinute);
    private readonly PartitionedRateLimiter<string> _perKey = Create(settings.SignInsPerMinute);

    private static PartitionedRateLimiter<string> Create(int perMinute) => PartitionedRateLimiter.Create<string, string>(partition => perMinute <= 0
        ? RateLimitPartition.GetNoLimiter(partition)
        : RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    /// <summary>Counts the call against its address and its key (by its hash); false (and the wait noted on the request) when either is spent.</summary>
    public bool Admit(HttpContext http, string keyHash)
    {
        foreach (var (limiter, partition) in new[] { (_perAddress, ChangeOrigin.ClientIp(http)), (_perKey, keyHash) })
        {
            using var lease = limiter.AttemptAcquire(partition);
            if (lease.IsAcquired) continue;
            http.Items[RefusedItem] = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            return false;
        }
        return true;
    }

    /// <summary>The wait when <see cref="Admit"/> refused this request; null when it did not.</summary>
    public TimeSpan? RetryAfter(HttpContext http) => http.Items.TryGetValue(RefusedItem, out var wait) ? (TimeSpan)wait! : null;

    public void Dispose()
    {
        _perAddress.Dispose();
        _perKey.Dispose();
    }
}
