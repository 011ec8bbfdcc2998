using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on the API's writes, with Stripe's meaning: the same key with the same
/// request within 24 hours gets the first answer again without the work being done twice; the same
/// key with another request is refused with 409. So a client may repeat a write whose answer it never
/// saw (a timeout, a dropped connection) without doubling it.
/// </summary>
/// <remarks>
/// The key is taken before the request runs and its answer kept after, each in a write apart from the
/// request's own: a key whose first request was cut off by a crash stays unanswered, and its repeats
/// are refused with 409 rather than run again, since nobody can tell whether the first took effect.
/// On SQLite both ride the group commit, and neither is waited for: the request runs once its key
/// is taken under the writer, and whatever it changes commits with the key or after it, never
/// without it (see <see cref="GroupCommit.RunBeforeCommit{T}"/>), so a key costs its request
/// no flush of its own. On PostgreSQL each is a short commit of its own. Answers of
/// 5xx (nothing was changed) and 429 (nothing was done) are not kept, so those requests may be sent
/// again with the same key. Keys belong to the account; listbuilding calls, which have no account
/// credentials, need none: repeating them leaves the same state.
/// </remarks>
internal static partial class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>A first request still unanswered after this long was cut off (the server stopped): its key is spent.</summary>
    private static readonly TimeSpan CutOff = TimeSpan.FromMinutes(2);

    /// <summary>Answers larger than this are not kept: only reads answer so much, and a read may run again.</summary>
    private const int MaxKeptBody = 256 * 1024;
    private const int MaxKeyLength = 255;

    public static WebApplication UseIdempotencyKeys(this WebApplication app)
    {
        app.Use(RunAsync);
        return app;
    }

    private static async Task RunAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!request.Headers.TryGetValue(Header, out var values) || context.User.FindAccountId() is not { } accountId
            || !(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsDelete(request.Method) || HttpMethods.IsPatch(request.Method)))
        {
            await next(context);
            return;
        }
        var key = values.ToString();
        if (key.Length is 0 or > MaxKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            await WireResults.WriteMessagesAsync(context.Response, StatusCodes.Status400BadRequest,
                $"The {Header} header must be 1 to {MaxKeyLength} visible ASCII characters, such as a UUID.");
            return;
        }

        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        var cancellationToken = context.RequestAborted;
        var hash = await HashAsync(request, cancellationToken);
        var taken = await TakeAsync(context, accountId, key, hash, clock.GetUtcNow().UtcDateTime, cancellationToken);
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdempotencyKeys));
        // Only a disk that refuses a write fails it; what the request changed may then be on disk without its key.
        taken.Committed?.ContinueWith(t => LogNotTaken(logger, t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        if (taken.Earlier is { } earlier)
        {
            await AnswerAgainAsync(context, earlier, hash, clock.GetUtcNow().UtcDateTime);
            return;
        }

        // The answer is kept as it goes out, however it is written (the body stream or the body writer):
        // the response body feature is wrapped, and completing the wrapper flushes what its writer holds.
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        await using var kept = new KeptBody(original.Stream, MaxKeptBody);
        var keeping = new StreamResponseBodyFeature(kept, original);
        context.Features.Set<IHttpResponseBodyFeature>(keeping);
        try
        {
            await next(context);
            await keeping.CompleteAsync();
        }
        catch
        {
            await ForgetAsync(context, accountId, taken.Id);
            throw;
        }
        finally
        {
            context.Features.Set(original);
        }
        var status = context.Response.StatusCode;
        if (status >= 500 || status == StatusCodes.Status429TooManyRequests || kept.Overflowed)
        {
            await ForgetAsync(context, accountId, taken.Id);
            return;
        }
        var body = kept.Kept;
        var contentType = context.Response.ContentType;
        Func<TagflowDb, CancellationToken, Task<WriteOutcome<int>>> keep = async (db, cancellationToken) => WriteOutcome<int>.Kept(await db.IdempotentRequests
            .Where(r => r.Id == taken.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, status).SetProperty(r => r.ContentType, contentType).SetProperty(r => r.Body, body), cancellationToken));
        if (context.RequestServices.GetRequiredService<TagflowDb>() is SqliteTagflowDb)
        {
            // The answer goes out without waiting for the next group commit to keep it: should the server stop
            // before that commit, the key stays unanswered and its repeats are refused, never run twice.
            _ = context.RequestServices.GetRequiredService<GroupCommit>().RunAsync(accountId, keep, CancellationToken.None)
                .ContinueWith(t => LogNotKept(logger, t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return;
        }
        // Kept whatever the client does now: it may be gone, and its repeat must find the answer.
        await StoreAsync(context, accountId, keep, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The answer of a request with an Idempotency-Key was not kept; its repeats are refused as cut off")]
    private static partial void LogNotKept(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "An Idempotency-Key was not stored, but its request ran: a repeat of it may run again")]
    private static partial void LogNotTaken(ILogger logger, Exception exception);

    /// <summary>
    /// Takes the key for this request; or, when it is taken already, answers the request that has it.
    /// On SQLite, <c>Committed</c> ends when the key is on disk; the request need not wait for it.
    /// </summary>
    private static async Task<(long Id, IdempotentRequest? Earlier, Task? Committed)> TakeAsync(HttpContext context, long accountId, string key, string hash, DateTime now,
        CancellationToken cancellationToken)
    {
        var expired = now - Lifetime;
        Func<TagflowDb, CancellationToken, Task<WriteOutcome<(IdempotentRequest?, IdempotentRequest?)>>> take = async (db, cancellationToken) =>
        {
            var found = await db.IdempotentRequests.AsNoTracking().SingleOrDefaultAsync(r => r.AccountId == accountId && r.Key == key, cancellationToken);
            if (found is not null && found.CreatedAt >= expired) return WriteOutcome<(IdempotentRequest?, IdempotentRequest?)>.Kept((null, found));
            if (found is not null) await db.IdempotentRequests.Where(r => r.Id == found.Id).ExecuteDeleteAsync(cancellationToken);
            var taken = new IdempotentRequest { AccountId = accountId, Key = key, RequestHash = hash, CreatedAt = now };
            db.IdempotentRequests.Add(taken);
            return WriteOutcome<(IdempotentRequest?, IdempotentRequest?)>.Kept((taken, null));
        };
        if (context.RequestServices.GetRequiredService<TagflowDb>() is SqliteTagflowDb)
        {
            var (ran, committed) = context.RequestServices.GetRequiredService<GroupCommit>().RunBeforeCommit(accountId, take, cancellationToken);
            var (entry, earlier) = await ran;
            return earlier is null ? (entry!.Id, null, committed) : (earlier.Id, earlier, null);
        }
        try
        {
            var (entry, earlier) = await StoreAsync(context, accountId, take, cancellationToken);
            return earlier is null ? (entry!.Id, null, null) : (earlier.Id, earlier, null);
        }
        catch (DbUpdateException)
        {
            // PostgreSQL: another instance took the key between the look and the insert (the unique index said so).
            var db = context.RequestServices.GetRequiredService<TagflowDb>();
            db.ChangeTracker.Clear();
            var earlier = await db.IdempotentRequests.AsNoTracking().SingleAsync(r => r.AccountId == accountId && r.Key == key, cancellationToken);
            return (earlier.Id, earlier, null);
        }
    }

    /// <summary>
    /// One write of the key's record. On SQLite it joins the group commit and shares its flush to disk with
    /// the requests around it, so a key costs no flush of its own; on PostgreSQL it is a short commit of its
    /// own, outside the account's lock, with the unique index settling a race between instances.
    /// </summary>
    private static async Task<T> StoreAsync<T>(HttpContext context, long accountId, Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, CancellationToken cancellationToken)
    {
        var db = context.RequestServices.GetRequiredService<TagflowDb>();
        if (db is SqliteTagflowDb) return await context.RequestServices.GetRequiredService<Writes>().RunAsync(accountId, change, cancellationToken);
        try
        {
            var outcome = await change(db, cancellationToken);
            if (outcome.Keep) await db.SaveChangesAsync(cancellationToken);
            return outcome.Result;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private static async Task AnswerAgainAsync(HttpContext context, IdempotentRequest earlier, string hash, DateTime now)
    {
        var response = context.Response;
        if (earlier.RequestHash != hash)
        {
            await WireResults.WriteMessagesAsync(response, StatusCodes.Status409Conflict,
                $"This {Header} was sent before with another request; send a new key for a new request.");
            return;
        }
        if (earlier.Status is not { } status)
        {
            if (now - earlier.CreatedAt < CutOff)
            {
                await WireResults.WriteTooManyRequestsAsync(response, TimeSpan.FromSeconds(1),
                    $"A request with this {Header} is still being answered.", StatusCodes.Status409Conflict);
                return;
            }
            await WireResults.WriteMessagesAsync(response, StatusCodes.Status409Conflict,
                $"The first request with this {Header} was cut off before it was answered, so whether it took effect is unknown: "
                + "check, then send a new key.");
            return;
        }
        response.StatusCode = status;
        response.ContentType = earlier.ContentType;
        response.Headers[ReplayedHeader] = "true";
        var body = earlier.Body ?? [];
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static Task<int> ForgetAsync(HttpContext context, long accountId, long id) =>
        StoreAsync(context, accountId, async (db, cancellationToken) =>
            WriteOutcome<int>.Kept(await db.IdempotentRequests.Where(r => r.Id == id).ExecuteDeleteAsync(cancellationToken)), CancellationToken.None);

    /// <summary>What makes two requests the same: method, path, query, content type and body.</summary>
    private static async Task<string> HashAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}{request.QueryString}\n{request.ContentType}\n"));
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
            sha.AppendData(buffer, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
