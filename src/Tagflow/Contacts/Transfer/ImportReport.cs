using Microsoft.EntityFrameworkCore;
using Tagflow.Data;

namespace Tagflow.Contacts;

/// <summary>The report of an import: each refused row as CSV (line, column, error code, message), for <c>GET /import/{id}/report</c> and <c>tagflow import</c>.</summary>
internal static class ImportReport
{
    public static async Task WriteAsync(TagflowDb db, long importId, TextWriter writer, CancellationToken cancellationToken)
    {
        await writer.WriteAsync("line,column,error,message\n");
        await foreach (var refusal in db.ImportRefusals.AsNoTracking().Where(r => r.ImportId == importId).OrderBy(r => r.Line).ThenBy(r => r.Id)
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            await writer.WriteAsync($"{refusal.Line},{Cell(refusal.Column)},{refusal.Code},{Cell(refusal.Message)}\n");
        }
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>A CSV cell, quoted when it must be.</summary>
    private static string Cell(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
