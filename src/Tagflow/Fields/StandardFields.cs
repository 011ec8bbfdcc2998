namespace Tagflow.Fields;

/// <summary>Data field types (WIRE.md, "Data fields").</summary>
internal enum FieldType { Line, Paragraph, Email, Number, Decimal, Url, Time, Date, DateTime, Html }

/// <summary>A data field as requests and answers see it: its key, label and type.</summary>
internal sealed record FieldDefinition(string Key, string Label, FieldType Type, bool IsStandard = false, bool IsPhone = false);

/// <summary>The 16 data fields every account has, in KlickTipp's order.</summary>
internal static class StandardFields
{
    public static readonly IReadOnlyList<FieldDefinition> All =
    [
        new("fieldFirstName", "First name", FieldType.Line, true),
        new("fieldLastName", "Last name", FieldType.Line, true),
        new("fieldCompanyName", "Company name", FieldType.Line, true),
        new("fieldStreet1", "Street 1", FieldType.Line, true),
        new("fieldStreet2", "Street 2", FieldType.Line, true),
        new("fieldCity", "City", FieldType.Line, true),
        new("fieldState", "State", FieldType.Line, true),
        new("fieldZip", "ZIP code", FieldType.Line, true),
        new("fieldCountry", "Country", FieldType.Line, true),
        new("fieldPrivatePhone", "Private phone", FieldType.Line, true, IsPhone: true),
        new("fieldMobilePhone", "Mobile phone", FieldType.Line, true, IsPhone: true),
        new("fieldPhone", "Phone", FieldType.Line, true, IsPhone: true),
        new("fieldFax", "Fax", FieldType.Line, true, IsPhone: true),
        new("fieldWebsite", "Website", FieldType.Url, true),
        new("fieldBirthday", "Birthday", FieldType.Date, true),
        new("fieldLeadValue", "Lead value", FieldType.Decimal, true),
    ];
}
