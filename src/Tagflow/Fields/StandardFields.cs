namespace Tagflow.Fields;

/// <summary>Data field types (WIRE.md, "Data fields").</summary>
internal enum FieldType { Line, Paragraph, Email, Number, Decimal, Url, Time, Date, DateTime, Html }

internal sealed record StandardField(string Key, string Label, FieldType Type);

/// <summary>The 16 data fields every account has, in KlickTipp's order.</summary>
internal static class StandardFields
{
    public static readonly IReadOnlyList<StandardField> All =
    [
        new("fieldFirstName", "First name", FieldType.Line),
        new("fieldLastName", "Last name", FieldType.Line),
        new("fieldCompanyName", "Company name", FieldType.Line),
        new("fieldStreet1", "Street 1", FieldType.Line),
        new("fieldStreet2", "Street 2", FieldType.Line),
        new("fieldCity", "City", FieldType.Line),
        new("fieldState", "State", FieldType.Line),
        new("fieldZip", "ZIP code", FieldType.Line),
        new("fieldCountry", "Country", FieldType.Line),
        new("fieldPrivatePhone", "Private phone", FieldType.Line),
        new("fieldMobilePhone", "Mobile phone", FieldType.Line),
        new("fieldPhone", "Phone", FieldType.Line),
        new("fieldFax", "Fax", FieldType.Line),
        new("fieldWebsite", "Website", FieldType.Url),
        new("fieldBirthday", "Birthday", FieldType.Date),
        new("fieldLeadValue", "Lead value", FieldType.Decimal),
    ];

    /// <summary>Finds a standard field by its path id, with or without the <c>field</c> prefix, in any case.</summary>
    public static StandardField? Find(string id)
    {
        var key = id.StartsWith("field", StringComparison.OrdinalIgnoreCase) ? id : "field" + id;
        return All.FirstOrDefault(f => string.Equals(f.Key, key, StringComparison.OrdinalIgnoreCase));
    }
}
