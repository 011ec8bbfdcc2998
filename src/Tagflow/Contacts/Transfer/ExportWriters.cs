using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using nietras.SeparatedValues;
using Tagflow.Fields;

namespace Tagflow.Contacts;

/// <summary>One contact as an export writes it; <see cref="ContactExport"/> fills the same row again for each contact.</summary>
internal sealed class ExportRow(int fieldCount, TimeZoneInfo zone)
{
    public Contact Contact { get; set; } = null!;
    /// <summary>The data field values in catalog order; null where the contact has none.</summary>
    public string?[] Values { get; } = new string?[fieldCount];
    public List<string> ManualTags { get; } = [];
    public List<string> SmartTags { get; } = [];

    public void Reset(Contact contact)
    {
        Contact = contact;
        Array.Clear(Values);
        ManualTags.Clear();
        SmartTags.Clear();
    }

    /// <summary>The text of a leading column other than the two tag columns.</summary>
    public string Text(string column) => column switch
    {
        TransferColumns.Email => Contact.Email ?? "",
        TransferColumns.SmsPhone => Contact.SmsPhone ?? "",
        TransferColumns.Status => ContactWire.StatusLabel(Contact.Status),
        TransferColumns.Bounce => ContactWire.BounceLabel(Contact.Bounce),
        TransferColumns.ListId => ContactWire.Id(Contact.ListId),
        TransferColumns.SignupAt => TransferColumns.FormatTime(Contact.SignupAt, zone),
        TransferColumns.SignupIp => Contact.SignupIp,
        TransferColumns.SignupSource => Contact.SignupSource,
        TransferColumns.OptInAt => TransferColumns.FormatTime(Contact.OptInAt, zone),
        TransferColumns.OptInIp => Contact.OptInIp,
        TransferColumns.UnsubscribedAt => TransferColumns.FormatTime(Contact.UnsubscribedAt, zone),
        TransferColumns.UnsubscribedIp => Contact.UnsubscribedIp,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "Not a leading column with one value."),
    };
}

/// <summary>Writes rows into the page buffer of an export; <see cref="Flush"/> ends a page.</summary>
internal interface IExportWriter : IDisposable
{
    void Write(ExportRow row);

    void Flush();

    public static IExportWriter Create(ExportOptions options, FieldCatalog catalog, Stream buffer) =>
        options.Format == ExportFormat.Csv ? new CsvExportWriter(buffer, options, catalog) : new NdjsonExportWriter(buffer, catalog);
}

/// <summary>
/// RFC 4180 CSV through Sep: a header row, CRLF line ends, a cell quoted when it holds the delimiter, a
/// quote or a line break, UTF-8 without a byte order mark. Values are written as they are stored, even
/// when they begin with =, +, - or @: the file must import back unchanged (README, "Export your contacts").
/// </summary>
internal sealed class CsvExportWriter : IExportWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly StreamWriter _text;
    private readonly SepWriter _csv;
    private readonly string _tagSeparator;

    public CsvExportWriter(Stream buffer, ExportOptions options, FieldCatalog catalog)
    {
        _text = new StreamWriter(buffer, Utf8, leaveOpen: true) { NewLine = "\r\n" };
        _csv = Sep.New(options.Delimiter).Writer(o => o with { Escape = true, WriteHeader = false }).To(_text, leaveOpen: true);
        _tagSeparator = options.TagSeparator.ToString();
        using var header = _csv.NewRow();
        var i = 0;
        foreach (var name in TransferColumns.Leading.Concat(catalog.All.Select(f => f.Key))) header[i++].Set(name);
    }

    public void Write(ExportRow row)
    {
        using var cells = _csv.NewRow();
        var i = 0;
        foreach (var column in TransferColumns.Leading)
        {
            cells[i++].Set(column switch
            {
                TransferColumns.Tags => string.Join(_tagSeparator, row.ManualTags),
                TransferColumns.SmartTags => string.Join(_tagSeparator, row.SmartTags),
                _ => row.Text(column),
            });
        }
        foreach (var value in row.Values) cells[i++].Set(value ?? "");
    }

    public void Flush() => _csv.Flush();

    public void Dispose()
    {
        _csv.Dispose();
        _text.Dispose();
    }
}

/// <summary>One JSON object per line (LF), every value a string but the tag columns, which are lists of names.</summary>
internal sealed class NdjsonExportWriter(Stream buffer, FieldCatalog catalog) : IExportWriter
{
    // The file is data, never HTML: umlauts and quotes as themselves.
    private readonly Utf8JsonWriter _json = new(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    private readonly JsonEncodedText[] _leading = [.. TransferColumns.Leading.Select(c => JsonEncodedText.Encode(c))];
    private readonly JsonEncodedText[] _fields = [.. catalog.All.Select(f => JsonEncodedText.Encode(f.Key))];

    public void Write(ExportRow row)
    {
        _json.WriteStartObject();
        for (var i = 0; i < _leading.Length; i++)
        {
            var column = TransferColumns.Leading[i];
            if (column is TransferColumns.Tags or TransferColumns.SmartTags)
            {
                _json.WriteStartArray(_leading[i]);
                foreach (var name in column == TransferColumns.Tags ? row.ManualTags : row.SmartTags) _json.WriteStringValue(name);
                _json.WriteEndArray();
            }
            else
            {
                _json.WriteString(_leading[i], row.Text(column));
            }
        }
        for (var i = 0; i < _fields.Length; i++) _json.WriteString(_fields[i], row.Values[i] ?? "");
        _json.WriteEndObject();
        // Each line is a JSON document of its own: the writer starts afresh after it.
        _json.Flush();
        _json.Reset();
        buffer.WriteByte((byte)'\n');
    }

    public void Flush() => _json.Flush();

    public void Dispose() => _json.Dispose();
}
