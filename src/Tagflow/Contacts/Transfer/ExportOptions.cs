using Tagflow.Wire;

namespace Tagflow.Contacts;

internal enum ExportFormat { Csv, Ndjson }

/// <summary>
/// What an export writes, checked: the format, which contacts (by status, bounce state and tag), and
/// for CSV the delimiter between cells and the separator between tag names in one cell. The API and
/// <c>tagflow export</c> read them alike.
/// </summary>
internal sealed record ExportOptions(ExportFormat Format, ContactFilters Filters, char Delimiter, char TagSeparator, long? TagId = null)
{
    public const string FilterHelp =
        "Filters: status is a list of pending, subscribed, unsubscribed; bounceStatus a list of nobounce, softbounce, hardbounce, spambounce; " +
        "both as repeated keys or comma lists. An export is the whole account: without a filter, every status and bounce state.";

    /// <summary>The options the words name (null or empty for each default), or the refusal of the first that names none.</summary>
    public static (ExportOptions? Options, Refusal? Refusal) Parse(string? format, List<string>? status, List<string>? bounceStatus, string? delimiter, string? tagSeparator)
    {
        ExportFormat? chosen = format?.Trim().ToLowerInvariant() switch
        {
            null or "" or "csv" => ExportFormat.Csv,
            "ndjson" => ExportFormat.Ndjson,
            _ => null,
        };
        if (chosen is not { } f) return Refuse("The key \"format\" must be csv (the default) or ndjson.");
        if (ContactFilters.ParseWholeAccount(status, bounceStatus) is not { } filters) return Refuse(FilterHelp);
        char? cellDelimiter = delimiter switch
        {
            null or "" or "," => ',',
            ";" => ';',
            "\t" => '\t',
            _ when delimiter.Trim().Equals("tab", StringComparison.OrdinalIgnoreCase) => '\t',
            _ => null,
        };
        if (cellDelimiter is not { } d) return Refuse("The key \"delimiter\" must be , (the default), ; or tab.");
        if (string.IsNullOrEmpty(tagSeparator)) return (new ExportOptions(f, filters, d, TransferColumns.DefaultTagSeparator), null);
        if (tagSeparator.Length != 1 || !TransferColumns.IsTagSeparator(tagSeparator[0]))
            return Refuse($"The key \"tagSeparator\" must be {TransferColumns.TagSeparatorHelp}.");
        return (new ExportOptions(f, filters, d, tagSeparator[0]), null);
    }

    private static (ExportOptions?, Refusal?) Refuse(string message) => (null, new Refusal(message));

    public string MediaType => Format == ExportFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson";

    public string FileExtension => Format == ExportFormat.Csv ? "csv" : "ndjson";
}
