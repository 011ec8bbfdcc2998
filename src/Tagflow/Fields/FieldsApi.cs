using Tagflow.Accounts;
using Tagflow.Wire;

namespace Tagflow.Fields;

internal static class FieldsApi
{
    public static void MapFieldsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/field").WithTags("Data fields").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapGet("/", List).Produces<Dictionary<string, string>>().WithSummary("Data fields as a map key → label.");
        group.MapGet("/{id}", Get).Produces<Dictionary<string, string>>().WithSummary("One data field; the id drops the field prefix (/field/FirstName).");
    }

    private static IResult List() =>
        WireResults.Ok(StandardFields.All.ToDictionary(f => f.Key, f => f.Label));

    private static IResult Get(string id) => StandardFields.Find(id) is { } field
        ? WireResults.Ok(new Dictionary<string, string> { ["id"] = field.Key["field".Length..], ["name"] = field.Label })
        : WireResults.NotFound();
}
