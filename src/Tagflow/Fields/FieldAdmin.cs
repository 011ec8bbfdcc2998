using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Wire;

namespace Tagflow.Fields;

/// <summary>The rules of an account's custom data fields, shared by the API (<c>/field</c>) and the account migration.</summary>
internal sealed class FieldAdmin(TagflowDb db, Writes writes, TimeProvider clock)
{
    private const int MaxNameLength = 250;

    /// <summary>Creates a custom field; answers it as stored, or why it was refused.</summary>
    public async Task<(DataField? Field, Refusal? Refusal)> AddAsync(long accountId, string? name, FieldType type, CancellationToken cancellationToken)
    {
        name = name?.Trim();
        if (CheckName(name) is { } problem) return (null, problem);
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        if (await NameTakenAsync(accountId, name!, null, cancellationToken)) return (null, NameTaken(name!));
        var field = new DataField { AccountId = accountId, Name = name!, NormalizedName = DataField.Normalize(name!), Type = type, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.DataFields.Add(field);
        await write.CommitAsync(cancellationToken);
        return (field, null);
    }

    /// <summary>Renames a custom field; a type, when given, must be the one it has.</summary>
    public async Task<Refusal?> UpdateAsync(long accountId, string id, string? name, FieldType? type, CancellationToken cancellationToken)
    {
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        var (field, refusal) = await FindAsync(accountId, id, cancellationToken);
        if (refusal is not null) return refusal;
        if (type is { } given && given != field!.Type)
            return new("A data field's type cannot change: create a new field instead.", WireErrors.FieldTypeFixed);
        if (name is not null)
        {
            name = name.Trim();
            if (CheckName(name) is { } problem) return problem;
            if (await NameTakenAsync(accountId, name, field!.Id, cancellationToken)) return NameTaken(name);
            field.Name = name;
            field.NormalizedName = DataField.Normalize(name);
        }
        await write.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>Deletes a custom field and every contact's value of it (each such contact gets its <c>contact.updated</c> event).</summary>
    public async Task<Refusal?> RemoveAsync(long accountId, string id, CancellationToken cancellationToken)
    {
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        var (field, refusal) = await FindAsync(accountId, id, cancellationToken);
        if (refusal is not null) return refusal;
        var key = field!.Key;
        await EventLog.AddFieldClearedForAllAsync(db, accountId, key, clock.GetUtcNow().UtcDateTime, cancellationToken);
        await db.ContactFields.Where(f => f.Key == key).ExecuteDeleteAsync(cancellationToken);
        db.DataFields.Remove(field);
        await write.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>A custom field of the account (tracked), or why not: no such field (404), or a standard field (error 602).</summary>
    private async Task<(DataField? Field, Refusal? Refusal)> FindAsync(long accountId, string id, CancellationToken cancellationToken)
    {
        var key = FieldCatalog.KeyOf(id);
        if (StandardFields.All.Any(f => string.Equals(f.Key, key, StringComparison.OrdinalIgnoreCase)))
            return (null, new("The standard data fields cannot be renamed or deleted.", WireErrors.StandardField));
        var field = long.TryParse(key["field".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var fieldId)
            ? await db.DataFields.SingleOrDefaultAsync(f => f.Id == fieldId && f.AccountId == accountId, cancellationToken)
            : null;
        return field is null ? (null, Refusal.NoSuchEntity) : (field, null);
    }

    private static Refusal? CheckName(string? name) =>
        string.IsNullOrEmpty(name) ? new("The key \"name\" is required: the label of the data field.")
        : name.Length > MaxNameLength ? new($"The key \"name\" may have at most {MaxNameLength} characters.")
        : WireText.LineProblem("name", name) is { } line ? new(line)
        : null;

    /// <summary>A name is taken by another custom field, or by a standard field's label, regardless of case.</summary>
    private async Task<bool> NameTakenAsync(long accountId, string name, long? exceptId, CancellationToken cancellationToken)
    {
        var normalized = DataField.Normalize(name);
        return StandardFields.All.Any(f => DataField.Normalize(f.Label) == normalized) ||
            await db.DataFields.AnyAsync(f => f.AccountId == accountId && f.NormalizedName == normalized && f.Id != exceptId, cancellationToken);
    }

    private static Refusal NameTaken(string name) => new($"A data field named \"{name}\" already exists in the account.", WireErrors.FieldNameTaken);
}
