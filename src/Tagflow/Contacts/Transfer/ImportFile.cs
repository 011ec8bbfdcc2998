using System.Text;
using System.Text.Json;
using nietras.SeparatedValues;
using Tagflow.Fields;

namespace Tagflow.Contacts;

/// <summary>What a column of an imported file holds.</summary>
internal enum ImportColumnKind
{
    Email, SmsPhone, Status, Bounce, ListId, SignupAt, SignupIp, SignupSource, OptInAt, OptInIp, UnsubscribedAt, UnsubscribedIp, Tags,
    /// <summary>A data field (<see cref="ImportColumn.FieldKey"/>).</summary>
    Field,
    /// <summary>Read and passed over: SmartTags (only the system assigns them), and unknown columns when the import says so.</summary>
    Ignored,
}

/// <summary>A column of an imported file: its header as the file names it, and what it holds.</summary>
internal sealed record ImportColumn(string Header, ImportColumnKind Kind, string? FieldKey = null);

/// <summary>One row of an imported file as read: its line, and its cells by column (empty cells and null values are not given).</summary>
internal sealed class ImportLine(long line)
{
    public long Line { get; } = line;
    public List<(ImportColumn Column, string Value)> Cells { get; } = [];
    /// <summary>Tag names given as a list (an NDJSON array), rather than one separated text.</summary>
    public List<string>? TagList { get; set; }
    /// <summary>Why the row cannot be read at all (a line that is not a JSON object, more cells than columns); the column it concerns.</summary>
    public (string Column, string Message)? Unreadable { get; set; }
}

/// <summary>The file of an import could not be read as one: its header, its format. Nothing was imported.</summary>
internal sealed class ImportFileException(string message) : Exception(message);

/// <summary>Another importer took the job over (this one stalled past its lease): this one stops without writing to it.</summary>
internal sealed class ImportLeaseLostException() : Exception("Another importer took the import over.");

/// <summary>
/// Reads a contact file, CSV (any delimiter, UTF-8 with or without BOM, a header line) or NDJSON
/// (one JSON object per line), row by row: the file is never held in memory. The header's names
/// are mapped once to <see cref="TransferColumns"/> and the account's data fields (by key or label).
/// </summary>
internal static class ImportFile
{
    /// <summary>
    /// The rows of the file after line <paramref name="after"/>. A CSV header that cannot be mapped
    /// throws <see cref="ImportFileException"/> before the first row.
    /// </summary>
    public static IEnumerable<ImportLine> Read(Stream stream, ImportOptions options, FieldCatalog catalog, long after = 0) =>
        options.Format == "ndjson" ? ReadNdjson(stream, options, catalog, after) : ReadCsv(stream, options, catalog, after);

    /// <summary>Reads the header only, to refuse a file that cannot be imported before it is queued.</summary>
    public static void CheckHeader(Stream stream, ImportOptions options, FieldCatalog catalog)
    {
        if (options.Format == "ndjson") return; // NDJSON names its columns on each line; a line that names an unknown one is refused alone
        using var reader = OpenCsv(stream, options);
        MapHeader(reader.Header.ColNames, options, catalog);
    }

    private static SepReader OpenCsv(Stream stream, ImportOptions options)
    {
        var text = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        try
        {
            var reader = Sep.Reader(o => o with
            {
                Sep = options.Delimiter is { } d ? new Sep(d) : null,
                Unescape = true,
                DisableColCountCheck = true,
                HasHeader = true,
            }).From(text);
            if (reader.Header.IsEmpty) throw new ImportFileException("The file is empty: its first line must name the columns (email, sms_phone, status, tags, fields …).");
            return reader;
        }
        catch (Exception e) when (e is not ImportFileException)
        {
            throw new ImportFileException("The file's first line cannot be read as a CSV header: " + e.Message);
        }
    }

    private static IEnumerable<ImportLine> ReadCsv(Stream stream, ImportOptions options, FieldCatalog catalog, long after)
    {
        using var reader = OpenCsv(stream, options);
        var columns = MapHeader(reader.Header.ColNames, options, catalog);
        while (true)
        {
            ImportLine line;
            try
            {
                if (!reader.MoveNext()) yield break;
                var row = reader.Current;
                if (row.LineNumberFrom <= after) continue;
                line = new ImportLine(row.LineNumberFrom);
                var count = row.ColCount;
                if (count == 1 && row[0].Span.Trim().IsEmpty) continue; // a blank line
                for (var i = 0; i < count; i++)
                {
                    var cell = row[i].Span;
                    if (i >= columns.Count)
                    {
                        if (!cell.Trim().IsEmpty) line.Unreadable = ("", $"The row has more cells ({count}) than the header has columns ({columns.Count}).");
                        continue;
                    }
                    if (columns[i].Kind == ImportColumnKind.Ignored || cell.Trim().IsEmpty) continue;
                    line.Cells.Add((columns[i], cell.ToString()));
                }
            }
            catch (Exception e) when (e is not ImportFileException and not OperationCanceledException)
            {
                throw new ImportFileException("The file cannot be read as CSV further: " + e.Message);
            }
            yield return line;
        }
    }

    private static IEnumerable<ImportLine> ReadNdjson(Stream stream, ImportOptions options, FieldCatalog catalog, long after)
    {
        using var text = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var known = new Dictionary<string, ImportColumn?>(StringComparer.Ordinal);
        long number = 0;
        while (text.ReadLine() is { } json)
        {
            number++;
            if (number <= after || string.IsNullOrWhiteSpace(json)) continue;
            var line = new ImportLine(number);
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!known.TryGetValue(property.Name, out var column))
                        known[property.Name] = column = Map(property.Name, options, catalog);
                    if (column is null)
                    {
                        line.Unreadable = (property.Name, $"The key \"{Wire.WireText.Echo(property.Name)}\" names no column: use email, sms_phone, status, tags, a data field's key or label (GET /field), or the import's ignoreUnknownColumns.");
                        break;
                    }
                    if (column.Kind == ImportColumnKind.Ignored) continue;
                    var value = property.Value;
                    if (column.Kind == ImportColumnKind.Tags && value.ValueKind == JsonValueKind.Array)
                    {
                        line.TagList = [.. value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())];
                        continue;
                    }
                    var cell = value.ValueKind switch
                    {
                        JsonValueKind.Null => "",
                        JsonValueKind.String => value.GetString()!,
                        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                        _ => null,
                    };
                    if (cell is null)
                    {
                        line.Unreadable = (property.Name, $"The key \"{Wire.WireText.Echo(property.Name)}\" holds a {value.ValueKind.ToString().ToLowerInvariant()}; give a text, a number or (for tags) a list of names.");
                        break;
                    }
                    if (cell.Trim().Length > 0) line.Cells.Add((column, cell));
                }
            }
            catch (JsonException)
            {
                line.Unreadable = ("", "The line is not a JSON object: each line of an NDJSON file holds one contact, as {\"email\":\"…\",…}.");
            }
            yield return line;
        }
    }

    /// <summary>Maps every header to its column; throws <see cref="ImportFileException"/> naming what cannot be mapped.</summary>
    private static List<ImportColumn> MapHeader(IReadOnlyList<string> headers, ImportOptions options, FieldCatalog catalog)
    {
        var columns = new List<ImportColumn>(headers.Count);
        var unknown = new List<string>();
        var seen = new Dictionary<(ImportColumnKind, string?), string>();
        foreach (var header in headers)
        {
            if (Map(header, options, catalog) is not { } column)
            {
                unknown.Add(header);
                continue;
            }
            if (column.Kind != ImportColumnKind.Ignored && !seen.TryAdd((column.Kind, column.FieldKey), header))
                throw new ImportFileException($"The columns \"{Wire.WireText.Echo(seen[(column.Kind, column.FieldKey)])}\" and \"{Wire.WireText.Echo(header)}\" name the same value; keep one.");
            columns.Add(column);
        }
        if (unknown.Count > 0)
            throw new ImportFileException($"The header names no column Tagflow knows: {string.Join(", ", unknown.Take(5).Select(u => $"\"{Wire.WireText.Echo(u)}\""))}"
                + ". Name each column email, sms_phone, status, bounce, listid, signup_at, signup_ip, signup_source, optin_at, optin_ip, unsubscribed_at, unsubscribed_ip, tags, "
                + "or a data field by key or label (GET /field); or leave such columns out with ignoreUnknownColumns=true (tagflow import: --ignore-unknown-columns).");
        if (!seen.ContainsKey((ImportColumnKind.Email, null)) && !seen.ContainsKey((ImportColumnKind.SmsPhone, null)))
            throw new ImportFileException("The file has neither an email nor an sms_phone column: a contact is found by one of them.");
        return columns;
    }

    /// <summary>The column a header names; null when it names none (or an ignored column when the import ignores unknown ones).</summary>
    private static ImportColumn? Map(string header, ImportOptions options, FieldCatalog catalog)
    {
        var name = header.Trim();
        if (TransferColumns.Find(name) is { } known)
            return new ImportColumn(header, known switch
            {
                TransferColumns.Email => ImportColumnKind.Email,
                TransferColumns.SmsPhone => ImportColumnKind.SmsPhone,
                TransferColumns.Status => ImportColumnKind.Status,
                TransferColumns.Bounce => ImportColumnKind.Bounce,
                TransferColumns.ListId => ImportColumnKind.ListId,
                TransferColumns.SignupAt => ImportColumnKind.SignupAt,
                TransferColumns.SignupIp => ImportColumnKind.SignupIp,
                TransferColumns.SignupSource => ImportColumnKind.SignupSource,
                TransferColumns.OptInAt => ImportColumnKind.OptInAt,
                TransferColumns.OptInIp => ImportColumnKind.OptInIp,
                TransferColumns.UnsubscribedAt => ImportColumnKind.UnsubscribedAt,
                TransferColumns.UnsubscribedIp => ImportColumnKind.UnsubscribedIp,
                TransferColumns.Tags => ImportColumnKind.Tags,
                _ => ImportColumnKind.Ignored, // smart_tags
            });
        var field = name.StartsWith("field", StringComparison.OrdinalIgnoreCase) ? catalog.Find(name) : null;
        field ??= catalog.All.FirstOrDefault(f => string.Equals(f.Label, name, StringComparison.OrdinalIgnoreCase));
        if (field is not null) return new ImportColumn(header, ImportColumnKind.Field, field.Key);
        return options.IgnoreUnknownColumns ? new ImportColumn(header, ImportColumnKind.Ignored) : null;
    }
}
