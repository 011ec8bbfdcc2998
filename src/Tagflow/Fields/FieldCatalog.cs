using Microsoft.EntityFrameworkCore;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Fields;

/// <summary>An account's data fields: the standard ones, then its custom ones in order of creation.</summary>
internal sealed class FieldCatalog
{
    private readonly Dictionary<string, FieldDefinition> _byKey;

    private FieldCatalog(IReadOnlyList<FieldDefinition> all)
    {
        All = all;
        _byKey = all.ToDictionary(f => f.Key, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<FieldDefinition> All { get; }

    public static async Task<FieldCatalog> LoadAsync(TagflowDb db, long accountId, CancellationToken cancellationToken)
    {
        var custom = await db.DataFields.AsNoTracking()
            .Where(f => f.AccountId == accountId)
            .OrderBy(f => f.Id)
            .Select(f => new { f.Id, f.Name, f.Type })
            .ToListAsync(cancellationToken);
        return new FieldCatalog([.. StandardFields.All, .. custom.Select(f => new FieldDefinition(DataField.KeyOf(f.Id), f.Name, f.Type))]);
    }

    /// <summary>Finds a field by its key (<c>fieldFirstName</c>, <c>field12</c>) or its path id (<c>FirstName</c>, <c>12</c>), in any case.</summary>
    public FieldDefinition? Find(string id) => _byKey.GetValueOrDefault(KeyOf(id));

    /// <summary>The field key a path id names: <c>FirstName</c> and <c>fieldFirstName</c> both name <c>fieldFirstName</c>.</summary>
    public static string KeyOf(string id) => id.StartsWith("field", StringComparison.OrdinalIgnoreCase) ? id : "field" + id;

    /// <summary>
    /// Checks the values a request sends, all of them before any is stored. Answers the values to
    /// store by key in the catalog's order (an empty string clears a field), or the 406 error 8 naming
    /// the first that does not fit.
    /// </summary>
    public (Dictionary<string, string> Values, WireError? Error) Check(IReadOnlyDictionary<string, string?>? fields)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, raw) in fields ?? new Dictionary<string, string?>())
        {
            var value = raw ?? "";
            if (Find(key) is not { } field || !key.StartsWith("field", StringComparison.OrdinalIgnoreCase))
                return (values, new WireError(WireErrors.InvalidFieldValue, Field: WireText.Echo(key), Name: WireText.Echo(key), FieldValue: WireText.Echo(value),
                    Reason: "There is no data field with this key: GET /field lists the keys."));
            if (value.Length == 0)
            {
                values[field.Key] = "";
                continue;
            }
            if (field.IsPhone && PhoneNumber.Normalize(value) is { } phone)
            {
                values[field.Key] = phone;
                continue;
            }
            var check = FieldValues.Check(field.Type, value);
            if (check.Refusal is { } reason)
                return (values, new WireError(WireErrors.InvalidFieldValue, Field: field.Label, Name: field.Key, FieldValue: WireText.Echo(value), Reason: reason));
            values[field.Key] = check.Stored!;
        }
        return (All.Where(f => values.ContainsKey(f.Key)).ToDictionary(f => f.Key, f => values[f.Key], StringComparer.Ordinal), null);
    }
}
