using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Tagflow.Data;

/// <summary>
/// On SQLite, a request's database work runs on one connection, opened once: checking the
/// credentials, loading reference data and answering share it. Opening a pooled SQLite connection
/// is not free (Microsoft.Data.Sqlite registers EF Core's SQL functions on it each time), and a
/// request used to open and close it once per query. PostgreSQL keeps EF Core's default, so that a
/// request holds a server connection only while it queries.
/// </summary>
internal static class RequestConnection
{
    public static IApplicationBuilder UseOneSqliteConnectionPerRequest(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Only the API's endpoints (they all need credentials, checked in the database); not pages or docs.
        if (context.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>() is null
            || context.RequestServices.GetRequiredService<TagflowDb>() is not SqliteTagflowDb db)
        {
            await next(context);
            return;
        }
        await db.Database.OpenConnectionAsync(CancellationToken.None);
        try
        {
            await next(context);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    });
}
