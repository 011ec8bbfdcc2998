using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
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
            .WithSummary("Import a contact file (CSV or NDJSON: the request body, or the file part of a multipart form); answers the import job at once. " + ImportOptions.Help);
        group.MapGet("/", ListAsync).Produces<Dictionary<string, object>[]>().WithSummary("The account's imports, newest first.");
        group.MapGet("/{id:long}", GetAsync).Produces<Dictionary<string, object>>().WithSummary("One import: its state and counters, readable while it runs.");
        group.MapGet("/{id:long}/report", ReportAsync).Produces<string>(contentType: "text/csv")
            .WithSummary("The rows the import refused, as CSV: line, column, error code and message.");
    }

    private static async Task<IResult> StartAsync(HttpContext http, ClaimsPrincipal user, ContactImports imports, ImportSignal signal, TagflowSettings settings,
        CancellationToken cancellationToken)
    {
        var request = http.Request;
        string? FromQuery(string name) => request.Query.TryGetValue(name, out var v) ? v.ToString() : null;
        var boundary = MultipartBoundary(request.ContentType);
        ImportOptions? options = null;
        if (boundary is null)
        {
            (options, var error) = ImportOptions.Parse(FromQuery, request.ContentType, request.Headers["X-File-Name"]);
            if (options is null) return WireResults.BadRequest(error!);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = settings.MaxImportBytes;

        var path = Path.Combine(ContactImports.Directory(settings), $"{DateTime.UtcNow:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.upload");
        try
        {
            var name = request.Headers["X-File-Name"].ToString();
            if (boundary is null) await SaveAsync(request.Body, path, cancellationToken);
            else
            {
                // A refused form or option is an ImportFileException: answered 400, the file deleted, below.
                var (form, error) = await ReceiveFormAsync(request.Body, boundary, path, cancellationToken);
                if (form is null) throw new ImportFileException(error!);
                (options, error) = ImportOptions.Parse(n => FromQuery(n) ?? form.Fields.GetValueOrDefault(n), form.ContentType, form.FileName);
                if (options is null) throw new ImportFileException(error!);
                name = form.FileName;
            }
            var job = await imports.CreateAsync(user.AccountId(), path, ownsFile: true, name.Length > 0 ? name : Path.GetFileName(path), options!, cancellationToken);
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

    /// <summary>Writes the upload to disk and flushes it there: a 202 means the file is on disk, and the import survives a crash from then on.</summary>
    private static async Task SaveAsync(Stream source, string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
        await source.CopyToAsync(file, cancellationToken);
        await file.FlushAsync(cancellationToken);
        file.Flush(flushToDisk: true);
    }

    /// <summary>The boundary of a <c>multipart/form-data</c> body; null for any other.</summary>
    private static string? MultipartBoundary(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(media.Boundary).Value ?? ""
            : null;

    /// <summary>What a form upload gave besides its file: the file's name and type, and the form's other fields (options).</summary>
    private sealed record UploadForm(string FileName, string? ContentType, Dictionary<string, string> Fields);

    /// <summary>
    /// Reads a form upload section by section (as a browser's or curl's <c>-F file=@contacts.csv</c>),
    /// the file straight to disk; its other fields are small and are kept. Answers why it is refused,
    /// if it is: no file, or more than one.
    /// </summary>
    private static async Task<(UploadForm? Form, string? Error)> ReceiveFormAsync(Stream body, string boundary, string path, CancellationToken cancellationToken)
    {
        if (boundary.Length == 0) return (null, "The multipart body has no boundary in its Content-Type.");
        var reader = new MultipartReader(boundary, body);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        (string Name, string? Type)? file = null;
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                return (null, "Each part of the form needs a Content-Disposition of form-data.");
            if (disposition.IsFileDisposition())
            {
                if (file is not null) return (null, "Send one file per import.");
                await SaveAsync(section.Body, path, cancellationToken);
                file = (HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "", section.ContentType);
                continue;
            }
            var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            using var text = new StreamReader(section.Body, Encoding.UTF8);
            var value = await text.ReadToEndAsync(cancellationToken);
            if (value.Length > 1_000) return (null, $"The form field {WireText.Echo(field)} is too long for an option.");
            fields[field] = value;
        }
        return file is { } f
            ? (new UploadForm(Path.GetFileName(f.Name), f.Type, fields), null)
            : (null, "The form has no file: send it as a file part (curl -F file=@contacts.csv), or as the request body itself.");
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
