using System.Text.Json.Nodes;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>The type of a data field: what its values must be (see <see cref="FieldValues"/> for writing them).</summary>
public enum FieldType
{
    /// <summary>Text without line breaks.</summary>
    Line,
    /// <summary>Text; <c>\n</c> between paragraphs.</summary>
    Paragraph,
    /// <summary>An email address.</summary>
    Email,
    /// <summary>A whole number.</summary>
    Number,
    /// <summary>A decimal with two places, written as hundredths.</summary>
    Decimal,
    /// <summary>An absolute http or https address.</summary>
    Url,
    /// <summary>A time of day, seconds since midnight.</summary>
    Time,
    /// <summary>A date, Unix seconds.</summary>
    Date,
    /// <summary>A date and time, Unix seconds.</summary>
    DateTime,
    /// <summary>HTML.</summary>
    Html,
}

/// <summary>A data field.</summary>
/// <param name="Key">The key contacts use, such as <c>fieldFirstName</c> or <c>field12</c>.</param>
/// <param name="Name">The label.</param>
/// <param name="Type">The type; <see langword="null"/> when the server does not say (KlickTipp).</param>
public sealed record Field(string Key, string Name, FieldType? Type);

/// <summary>Data fields (<c>/field</c>). Creating, renaming and deleting are Tagflow's additions.</summary>
public sealed class FieldService
{
    private readonly KlickTippConnection _connection;

    internal FieldService(KlickTippConnection connection) => _connection = connection;

    /// <summary>Every data field, standard and custom, key → label (<c>GET /field</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyDictionary<string, string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Get, "field"), cancellationToken);
        return Json.Map(answer).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
    }

    /// <summary>Reads a data field (<c>GET /field/{id}</c>).</summary>
    /// <param name="key">The field key (<c>fieldFirstName</c>, <c>field12</c>) or its id (<c>FirstName</c>, <c>12</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">With <see cref="KlickTippErrorKind.NotFound"/> when there is no such field.</exception>
    public async Task<Field> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Get, "field/" + PathId(key)), cancellationToken);
        var id = Json.Text(answer, "id");
        return new Field(id.Length > 0 ? "field" + id : Key(key), Json.Text(answer, "name"), ParseType(Json.Text(answer, "type")));
    }

    /// <summary>Tagflow: creates a custom data field (<c>POST /field</c>). Not retried after a server error or timeout, which could create it twice.</summary>
    /// <param name="name">The label.</param>
    /// <param name="type">The type; a line of text unless given.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new field's key, such as <c>field12</c>.</returns>
    /// <exception cref="KlickTippException">Refused with error 603 when a field of that name exists.</exception>
    public async Task<string> CreateAsync(string name, FieldType type = FieldType.Line, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var body = new JsonObject { ["name"] = name, ["type"] = TypeName(type) };
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Post, "field", body, Repeat: Repeat.OnlyIfNotReceived), cancellationToken);
        return Key(Json.Text(Json.Single(answer)));
    }

    /// <summary>Tagflow: renames a custom data field (<c>PUT /field/{id}</c>).</summary>
    /// <param name="key">The field key or id.</param>
    /// <param name="name">The new label.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">Refused with error 602 for a standard field, 603 when the name is taken.</exception>
    public async Task RenameAsync(string key, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await _connection.SendAsync(new ApiCall(HttpMethod.Put, "field/" + PathId(key), new JsonObject { ["name"] = name }), cancellationToken);
    }

    /// <summary>Tagflow: deletes a custom data field and its values (<c>DELETE /field/{id}</c>).</summary>
    /// <param name="key">The field key or id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">Refused with error 602 for a standard field.</exception>
    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        await _connection.SendAsync(new ApiCall(HttpMethod.Delete, "field/" + PathId(key)), cancellationToken);

    /// <summary>The path id drops the <c>field</c> prefix: <c>fieldFirstName</c> → <c>FirstName</c>, <c>field12</c> → <c>12</c>.</summary>
    internal static string PathId(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var id = key.StartsWith("field", StringComparison.Ordinal) && key.Length > 5 ? key[5..] : key;
        return Uri.EscapeDataString(id);
    }

    private static string Key(string keyOrId) => keyOrId.StartsWith("field", StringComparison.Ordinal) ? keyOrId : "field" + keyOrId;

    internal static string TypeName(FieldType type) => type switch
    {
        FieldType.Line => "line",
        FieldType.Paragraph => "paragraph",
        FieldType.Email => "email",
        FieldType.Number => "number",
        FieldType.Decimal => "decimal",
        FieldType.Url => "url",
        FieldType.Time => "time",
        FieldType.Date => "date",
        FieldType.DateTime => "datetime",
        FieldType.Html => "html",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static FieldType? ParseType(string text) =>
        Enum.GetValues<FieldType>().Cast<FieldType?>().FirstOrDefault(t => string.Equals(TypeName(t!.Value), text.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
}
