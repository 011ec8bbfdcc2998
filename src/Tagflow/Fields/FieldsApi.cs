using System.Security.Claims;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Fields;

internal sealed record FieldCreate(string? Name, string? Type);

internal sealed record FieldUpdate(string? Name, string? Type);

internal static class FieldsApi
{
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

    private static async Task<IResult> CreateAsync(Body<FieldCreate> body, ClaimsPrincipal user, FieldAdmin admin, CancellationToken cancellationToken)
    {
        // Without a type, a line of text, as older clients expect: they send only the name.
        var type = string.IsNullOrWhiteSpace(body.Value.Type) ? FieldType.Line : ParseType(body.Value.Type);
        if (type is null) return WireResults.BadRequest($"The key \"type\" must be one of: {TypeNames} (line when left out).");
        var (field, refusal) = await admin.AddAsync(user.AccountId(), body.Value.Name, type.Value, cancellationToken);
        return refusal?.ToResult() ?? WireResults.Single(field!.Key);
    }

    private static async Task<IResult> UpdateAsync(string id, Body<FieldUpdate> body, ClaimsPrincipal user, FieldAdmin admin, CancellationToken cancellationToken)
    {
        FieldType? type = null;
        if (body.Value.Type is { Length: > 0 } typeText && (type = ParseType(typeText)) is null)
            return WireResults.BadRequest($"The key \"type\" must be one of: {TypeNames}.");
        return (await admin.UpdateAsync(user.AccountId(), id, body.Value.Name, type, cancellationToken))?.ToResult() ?? WireResults.True();
    }

    private static async Task<IResult> DeleteAsync(string id, ClaimsPrincipal user, FieldAdmin admin, CancellationToken cancellationToken) =>
        (await admin.RemoveAsync(user.AccountId(), id, cancellationToken))?.ToResult() ?? WireResults.True();

    private static FieldType? ParseType(string? text) =>
        Enum.GetValues<FieldType>().Cast<FieldType?>().FirstOrDefault(t => string.Equals(Name(t!.Value), text?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The type's name on the wire: line, paragraph, email, number, decimal, url, time, date, datetime, html.</summary>
    private static string Name(FieldType type) => type.ToString().ToLowerInvariant();
}
