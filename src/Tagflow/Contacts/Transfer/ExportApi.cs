using System.Globalization;
using System.Security.Claims;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Contacts;

/// <summary><c>GET /export</c>, Tagflow's own: every contact of the account as a CSV or NDJSON file, streamed.</summary>
internal static class ExportApi
{
    public static void MapExportApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/export").WithTags("Export").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapGet("/", ExportAsync).Produces<string>(StatusCodes.Status200OK, "text/csv", "application/x-ndjson")
            .WithSummary("Tagflow: every contact of the account as a file, streamed in id order: format csv (default) or ndjson (or by Accept); "
                + "filters status and bounceStatus (default: all), tagid; for CSV delimiter (, ; or tab) and tagSeparator (default |).")
            .WithDescription($"Columns: {string.Join(", ", TransferColumns.Leading)} (tags: the manual tags' names; smart_tags: the SmartTags'), "
                + "then every data field by key. Times are ISO 8601 in the account's time zone. A tag name that contains the tag separator is "
                + "refused with 400 before the file starts.");
    }

    private static async Task<IResult> ExportAsync(Body<ExportFilter> body, ClaimsPrincipal user, HttpContext http, TagflowDb db, ReferenceCache references,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var filter = body.Value;
        var (parsed, refusal) = ExportOptions.Parse(filter.Format ?? FormatAccepted(http.Request), filter.Status, filter.BounceStatus, filter.Delimiter, filter.TagSeparator);
        if (refusal is not null) return refusal.ToResult();
        var options = parsed! with { TagId = filter.TagId };
        var accountId = user.AccountId();
        if (await ContactExport.CheckAsync(db, accountId, options, cancellationToken) is { } problem) return problem.ToResult();

        var zone = user.TimeZone();
        var catalog = (await references.GetAsync(db, user, cancellationToken)).Fields;
        var today = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var file = $"contacts-{FileNamePart(user.Identity?.Name ?? "")}-{today}.{options.FileExtension}";
        return new ExportResult(new ContactExport(db, accountId, options, catalog, zone), options.MediaType, file);
    }

    /// <summary>The format the Accept header prefers, csv or ndjson; null when it names neither.</summary>
    private static string? FormatAccepted(HttpRequest request)
    {
        foreach (var type in request.GetTypedHeaders().Accept.Where(a => a.Quality is not 0).OrderByDescending(a => a.Quality ?? 1))
        {
            if (type.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)) return "csv";
            if (type.MediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)) return "ndjson";
        }
        return null;
    }

    /// <summary>A username as a file name's part: letters, digits, dot, dash and underscore; anything else becomes an underscore.</summary>
    private static string FileNamePart(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));

    private sealed class ExportResult(ContactExport export, string mediaType, string fileName) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = mediaType;
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            // HEAD asks for the headers: no reason to read the whole account for a body nobody receives.
            if (HttpMethods.IsHead(httpContext.Request.Method)) return;
            await export.WriteAsync(async (page, cancellationToken) =>
            {
                await response.Body.WriteAsync(page, cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
            }, httpContext.RequestAborted);
        }
    }
}

/// <summary><c>GET /export</c>: the format, the filters, and how CSV cells and tag names are separated.</summary>
internal sealed record ExportFilter(string? Format, List<string>? Status, List<string>? BounceStatus, long? TagId, string? Delimiter, string? TagSeparator) : IWireFilter;
