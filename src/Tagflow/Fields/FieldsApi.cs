using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Wire;

namespace Tagflow.Fields;

internal sealed record FieldCreate(string? Name, string? Type);

internal sealed record FieldUpdate(string? Name, string? Type);

internal static class FieldsApi
{
    private const int MaxNameLength = 250;
    private static readonly string TypeNames = string.Join(", ", Enum.GetValues<FieldType>().Select(Name));

    public static void MapFieldsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/field").WithTags("Data fields").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapGet("/", ListAsync).Produces<Dictionary<string, string>>().WithSummary("Data fields as a map key → label: the 16 standard ones, then custom ones.");
        group.MapGet("/{id}", GetAsync).Produces<Dictionary<string, string>>().WithSummary("One data field; the id drops the field prefix (/field/FirstName, /field/12).");
        group.MapPost("/", CreateAsync).AcceptsWire<FieldCreate>().Produces<string[]>()
            .WithSummary("Tagflow: create a custom data field (name, and type: line when left out); answers [\"field<ID>\"].");
        group.MapPut("/{id}", UpdateAsync).AcceptsWire<FieldUpdate>().Produces<bool[]>().WithSummary("Tagflow: rename a custom data field; its type cannot change.");
        group.MapDelete("/{id}", DeleteAsync).Produces<bool[]>().WithSummary("Tagflow: delete a custom data field and every contact's value of it.");
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken) =>
        WireResults.Ok((await FieldCatalog.LoadAsync(db, user.AccountId(), cancellationToken)).All.ToDictionary(f => f.Key, f => f.Label));

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken) =>
        (await FieldCatalog.LoadAsync(db, user.AccountId(), cancellationToken)).Find(id) is { } field
            ? WireResults.Ok(new WireObject { ["id"] = field.Key["field".Length..], ["name"] = field.Label, ["type"] = Name(field.Type) })
            : WireResults.NotFound();

    private static async Task<IResult> CreateAsync(Body<FieldCreate> body, ClaimsPrincipal user, TagflowDb db, Writes writes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var name = body.Value.Name?.Trim();
        if (CheckName(name) is { } problem) return problem;
        // Without a type, a line of text, as older clients expect: they send only the name.
        var type = string.IsNullOrWhiteSpace(body.Value.Type) ? FieldType.Line : ParseType(body.Value.Type);
        if (type is null) return WireResults.BadRequest($"The key \"type\" must be one of: {TypeNames} (line when left out).");
        var accountId = user.AccountId();
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        if (await NameTakenAsync(db, accountId, name!, null, cancellationToken)) return WireResults.Refused(WireErrors.FieldNameTaken);
        var field = new DataField { AccountId = accountId, Name = name!, NormalizedName = DataField.Normalize(name!), Type = type.Value, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.DataFields.Add(field);
        await write.CommitAsync(cancellationToken);
        return WireResults.Single(field.Key);
    }

    private static async Task<IResult> UpdateAsync(string id, Body<FieldUpdate> body, ClaimsPrincipal user, TagflowDb db, Writes writes, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        var found = await FindAsync(db, accountId, id, cancellationToken);
        if (found.Result is { } refusal) return refusal;
        var field = found.Field!;
        if (body.Value.Type is { Length: > 0 } typeText)
        {
            if (ParseType(typeText) is not { } type) return WireResults.BadRequest($"The key \"type\" must be one of: {TypeNames}.");
            if (type != field.Type) return WireResults.Refused(WireErrors.FieldTypeFixed);
        }
        if (body.Value.Name is { } newName)
        {
            var name = newName.Trim();
            if (CheckName(name) is { } problem) return problem;
            if (await NameTakenAsync(db, accountId, name, field.Id, cancellationToken)) return WireResults.Refused(WireErrors.FieldNameTaken);
            field.Name = name;
            field.NormalizedName = DataField.Normalize(name);
        }
        await write.CommitAsync(cancellationToken);
        return WireResults.True();
    }

    private static async Task<IResult> DeleteAsync(string id, ClaimsPrincipal user, TagflowDb db, Writes writes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        var found = await FindAsync(db, accountId, id, cancellationToken);
        if (found.Result is { } refusal) return refusal;
        var key = found.Field!.Key;
        // The contacts that had a value change: each gets its contact.updated event.
        await EventLog.AddFieldClearedForAllAsync(db, accountId, key, clock.GetUtcNow().UtcDateTime, cancellationToken);
        await db.ContactFields.Where(f => f.Key == key).ExecuteDeleteAsync(cancellationToken);
        db.DataFields.Remove(found.Field);
        await write.CommitAsync(cancellationToken);
        return WireResults.True();
    }

    /// <summary>A custom field of the account (tracked), or the answer: 404 if there is none, 406 error 602 for a standard field.</summary>
    private static async Task<(DataField? Field, IResult? Result)> FindAsync(TagflowDb db, long accountId, string id, CancellationToken cancellationToken)
    {
        var key = FieldCatalog.KeyOf(id);
        if (StandardFields.All.Any(f => string.Equals(f.Key, key, StringComparison.OrdinalIgnoreCase)))
            return (null, WireResults.Refused(WireErrors.StandardField));
        var field = long.TryParse(key["field".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var fieldId)
            ? await db.DataFields.SingleOrDefaultAsync(f => f.Id == fieldId && f.AccountId == accountId, cancellationToken)
            : null;
        return field is null ? (null, WireResults.NotFound()) : (field, null);
    }

    private static IResult? CheckName(string? name) =>
        string.IsNullOrEmpty(name) ? WireResults.BadRequest("The key \"name\" is required: the label of the data field.")
        : name.Length > MaxNameLength ? WireResults.BadRequest($"The key \"name\" may have at most {MaxNameLength} characters.")
        : WireText.LineProblem("name", name) is { } line ? WireResults.BadRequest(line)
        : null;

    /// <summary>A name is taken by another custom field, or by a standard field's label, regardless of case.</summary>
    private static async Task<bool> NameTakenAsync(TagflowDb db, long accountId, string name, long? exceptId, CancellationToken cancellationToken)
    {
        var normalized = DataField.Normalize(name);
        return StandardFields.All.Any(f => DataField.Normalize(f.Label) == normalized) ||
            await db.DataFields.AnyAsync(f => f.AccountId == accountId && f.NormalizedName == normalized && f.Id != exceptId, cancellationToken);
    }

    private static FieldType? ParseType(string? text) =>
        Enum.GetValues<FieldType>().Cast<FieldType?>().FirstOrDefault(t => string.Equals(Name(t!.Value), text?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The type's name on the wire: line, paragraph, email, number, decimal, url, time, date, datetime, html.</summary>
    private static string Name(FieldType type) => type.ToString().ToLowerInvariant();
}
