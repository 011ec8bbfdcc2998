using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Contacts;

/// <summary>
/// Tagflow's own import endpoints: <c>POST /import</c> takes a contact file as the request body
/// and queues it; <c>GET /import/{id}</c> says how far it has come; its report lists each refused row.
/// </summary>
internal static class ImportApi
{
    public static void MapImportApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/import").WithTags("Import and export").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapPost("/", StartAsync).Produces<Dictionary<string, object>>(StatusCodes.Status202Accepted)
            .WithSummary("Import a contact file (CSV or NDJSON, the request body); answers the import job at once. " + ImportOptions.Help);
        group.MapGet("/", ListAsync).Produces<Dictionary<string, object>[]>().WithSummary("The account's imports, newest first.");
        group.MapGet("/{id:long}", GetAsync).Produces<Dictionary<string, object>>().WithSummary("One import: its state and counters, readable while it runs.");
        group.MapGet("/{id:long}/report", ReportAsync).Produces<string>(contentType: "text/csv")
            .WithSummary("The rows the import refused, as CSV: line, column, error code and message.");
    }

    private static async Task<IResult> StartAsync(HttpContext http, ClaimsPrincipal user, ContactImports imports, ImportSignal signal, TagflowSettings settings,
        CancellationToken cancellationToken)
    {
        var request = http.Request;
        var (options, error) = ImportOptions.Parse(name => request.Query.TryGetValue(name, out var v) ? v.ToString() : null, request.ContentType);
        if (options is null) return WireResults.BadRequest(error!);
        if (request.HasFormContentType && request.ContentType!.Contains("multipart", StringComparison.OrdinalIgnoreCase))
            return WireResults.BadRequest("Send the file itself as the request body (curl --data-binary @contacts.csv -H 'Content-Type: text/csv'), not as a form.");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = settings.MaxImportBytes;

        var path = Path.Combine(ContactImports.Directory(settings), $"{DateTime.UtcNow:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.{options.Format}");
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await request.Body.CopyToAsync(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true); // a 202 means the file is on disk: the import survives a crash from here on
            }
            var name = request.Headers["X-File-Name"].ToString() is { Length: > 0 } given ? given : Path.GetFileName(path);
            var job = await imports.CreateAsync(user.AccountId(), path, ownsFile: true, name, options, cancellationToken);
            signal.Wake();
            http.Response.Headers.Location = $"/import/{job.Id}";
            return WireResults.Accepted(View(job));
        }
        catch (ImportFileException e)
        {
            File.Delete(path);
            return WireResults.BadRequest(e.Message);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException) when (!http.RequestAborted.IsCancellationRequested)
        {
            File.Delete(path);
            return WireResults.BadRequest($"The file is larger than this server takes ({settings.MaxImportBytes / (1024 * 1024)} MB); split it, or import it with `tagflow import` on the server.");
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        var jobs = await db.ImportJobs.AsNoTracking().Where(j => j.AccountId == accountId).OrderByDescending(j => j.Id).Take(100).ToListAsync(cancellationToken);
        return WireResults.Ok(jobs.Select(View).ToList());
    }

    private static async Task<IResult> GetAsync(long id, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        return await db.ImportJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id && j.AccountId == accountId, cancellationToken) is { } job
            ? WireResults.Ok(View(job))
            : WireResults.NotFound();
    }

    private static async Task<IResult> ReportAsync(long id, HttpContext http, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        if (!await db.ImportJobs.AnyAsync(j => j.Id == id && j.AccountId == accountId, cancellationToken)) return WireResults.NotFound();
        var response = http.Response;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"import-{id}-refused.csv\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 16 * 1024);
        await ImportReport.WriteAsync(db, id, writer, cancellationToken);
        return Results.Empty;
    }

    /// <summary>An import job as the API shows it.</summary>
    public static WireObject View(ImportJob job) => new()
    {
        ["id"] = ContactWire.Id(job.Id),
        ["state"] = job.State.ToString().ToLowerInvariant(),
        ["file"] = job.FileName,
        ["format"] = job.Format,
        ["bytes"] = job.FileBytes,
        ["rows_read"] = job.RowsRead,
        ["created"] = job.Created,
        ["updated"] = job.Updated,
        ["unchanged"] = job.Unchanged,
        ["skipped"] = job.Skipped,
        ["refused"] = job.Refused,
        ["rows_per_second"] = job.SecondsRunning > 0 ? Math.Round(job.RowsRead / job.SecondsRunning) : 0,
        ["lines_done"] = job.LinesDone,
        ["bytes_done"] = job.State == ImportState.Done ? job.FileBytes : Math.Min(job.BytesDone, job.FileBytes),
        ["queued_at"] = ContactWire.UnixTime(job.CreatedAt),
        ["started_at"] = job.StartedAt is { } started ? ContactWire.UnixTime(started) : "",
        ["finished_at"] = job.FinishedAt is { } finished ? ContactWire.UnixTime(finished) : "",
        ["error"] = job.Error ?? "",
        ["report"] = $"/import/{job.Id.ToString(CultureInfo.InvariantCulture)}/report",
    };
}

/// <summary>Wakes the importer when an import is queued.</summary>
internal sealed class ImportSignal : Delivery.WorkSignal;

/// <summary>
/// The importer of each serving instance: takes queued imports, and those whose importer stopped
/// (a crash: after <see cref="TagflowSettings.ImportLease"/>; a shutdown: at once), one at a time,
/// and runs each to its end.
/// </summary>
internal sealed class ImportWorker(IServiceScopeFactory scopes, ImportSignal signal, TagflowSettings settings, ILogger<ImportWorker> logger)
    : BackgroundLoop("The importer", logger)
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunRoundsAsync(RoundAsync, stoppingToken);

    private async Task RoundAsync(CancellationToken stoppingToken)
    {
        List<long> waiting;
        await using (var scope = scopes.CreateAsyncScope())
            waiting = await scope.ServiceProvider.GetRequiredService<ContactImports>().WaitingAsync(stoppingToken);
        foreach (var id in waiting)
        {
            await using var scope = scopes.CreateAsyncScope();
            var imports = scope.ServiceProvider.GetRequiredService<ContactImports>();
            if (await imports.ClaimAsync(id, stoppingToken)) await imports.RunAsync(id, null, stoppingToken);
        }
        await signal.WaitAsync(settings.ImportLease < TimeSpan.FromSeconds(10) ? settings.ImportLease : TimeSpan.FromSeconds(10), stoppingToken);
    }
}
