namespace Tagflow.Fields;

/// <summary>A custom data field of an account; on the wire its key is <c>field&lt;Id&gt;</c>.</summary>
internal sealed class DataField
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string Name { get; set; }
    /// <summary>Lower-case name: field names are unique per account regardless of case.</summary>
    public required string NormalizedName { get; set; }
    public FieldType Type { get; set; }
    public DateTime CreatedAt { get; set; }

    public string Key => KeyOf(Id);

    public static string KeyOf(long id) => "field" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();
}
