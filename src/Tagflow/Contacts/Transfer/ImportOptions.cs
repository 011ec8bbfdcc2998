using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tagflow.Contacts;

/// <summary>What an import does with existing addresses.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExistingContacts>))]
internal enum ExistingContacts
{
    /// <summary>The file's values, tags and status changes are applied to the contact.</summary>
    Update,
    /// <summary>The contact is left as it is, and counted as skipped.</summary>
    Skip,
}

/// <summary>The choices of an import, the same for <c>POST /import</c> and <c>tagflow import</c>.</summary>
internal sealed record ImportOptions
{
    /// <summary><c>csv</c> or <c>ndjson</c>.</summary>
    public string Format { get; init; } = "csv";

    /// <summary>The CSV delimiter; null detects it from the header line (comma, semicolon, tab or pipe).</summary>
    public char? Delimiter { get; init; }

    /// <summary>Between tag names in one CSV cell.</summary>
    public char TagSeparator { get; init; } = TransferColumns.DefaultTagSeparator;

    /// <summary>The opt-in process of rows without a <c>listid</c>; null for the predefined one.</summary>
    public long? ListId { get; init; }

    public ExistingContacts Existing { get; init; } = ExistingContacts.Update;

    /// <summary>False writes the import's events so that no campaign starts and no webhook is called for them.</summary>
    public bool StartAutomations { get; init; } = true;

    /// <summary>Columns that name nothing Tagflow knows are left out, instead of refusing the file.</summary>
    public bool IgnoreUnknownColumns { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ImportOptions FromJson(string json) => JsonSerializer.Deserialize<ImportOptions>(json, Json) ?? new ImportOptions();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public const string Help =
        "Options (in the query, or as fields of a multipart form): format csv or ndjson (default: from the Content-Type or the file name's .ndjson or .jsonl, else csv); delimiter , ; tab or | (default: detected); "
        + "tagSeparator one character (default |); listid an opt-in process id (default: the predefined one); "
        + "existing update or skip (default update); automations true or false (default true); ignoreUnknownColumns true or false.";

    /// <summary>The options of a request; null with the reason when one is not accepted.</summary>
    /// <param name="contentType">The file's type, which may say NDJSON.</param>
    /// <param name="fileName">The file's name, whose extension may say NDJSON.</param>
    public static (ImportOptions? Options, string? Error) Parse(Func<string, string?> get, string? contentType, string? fileName = null)
    {
        var options = new ImportOptions();
        var format = get("format")?.Trim().ToLowerInvariant();
        if (format is null && contentType is { } type)
            format = type.Contains("ndjson", StringComparison.OrdinalIgnoreCase) || type.Contains("jsonl", StringComparison.OrdinalIgnoreCase) ? "ndjson" : null;
        if (format is null && Path.GetExtension(fileName ?? "").ToLowerInvariant() is ".ndjson" or ".jsonl") format = "ndjson";
        if (format is not (null or "csv" or "ndjson")) return (null, "format must be csv or ndjson.");
        options = options with { Format = format ?? "csv" };
        if (get("delimiter") is { } delimiter)
        {
            if (ParseDelimiter(delimiter) is not { } d) return (null, "delimiter must be one of , ; tab |.");
            options = options with { Delimiter = d };
        }
        if (get("tagSeparator") is { } separator)
        {
            if (separator.Length != 1 || !TransferColumns.IsTagSeparator(separator[0]))
                return (null, $"tagSeparator must be {TransferColumns.TagSeparatorHelp}.");
            options = options with { TagSeparator = separator[0] };
        }
        if (get("listid") is { } list)
        {
            if (!long.TryParse(list, out var id) || id < 0) return (null, "listid must be the id of an opt-in process.");
            options = options with { ListId = id == 0 ? null : id };
        }
        if (get("existing") is { } existing)
        {
            if (!Enum.TryParse<ExistingContacts>(existing, ignoreCase: true, out var e) || !Enum.IsDefined(e)) return (null, "existing must be update or skip.");
            options = options with { Existing = e };
        }
        if (get("automations") is { } automations)
        {
            if (!bool.TryParse(automations, out var start)) return (null, "automations must be true or false.");
            options = options with { StartAutomations = start };
        }
        if (get("ignoreUnknownColumns") is { } ignore)
        {
            if (!bool.TryParse(ignore, out var skip)) return (null, "ignoreUnknownColumns must be true or false.");
            options = options with { IgnoreUnknownColumns = skip };
        }
        return (options, null);
    }

    /// <summary>A delimiter as a user names it: the character, or <c>tab</c>.</summary>
    public static char? ParseDelimiter(string text) => text switch
    {
        "," or ";" or "|" or "\t" => text[0],
        _ when text.Equals("tab", StringComparison.OrdinalIgnoreCase) => '\t',
        _ => null,
    };
}
