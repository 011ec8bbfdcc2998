using Tagflow.Fields;

namespace Tagflow.App;

/// <summary>The data field types by the names the app shows.</summary>
internal static class AppFieldTypes
{
    public static string Name(FieldType type) => type switch
    {
        FieldType.Line => "Text (one line)",
        FieldType.Paragraph => "Paragraph",
        FieldType.Email => "Email address",
        FieldType.Number => "Whole number",
        FieldType.Decimal => "Decimal (two places)",
        FieldType.Url => "URL",
        FieldType.Time => "Time",
        FieldType.Date => "Date",
        FieldType.DateTime => "Date and time",
        FieldType.Html => "HTML",
        _ => type.ToString(),
    };
}
