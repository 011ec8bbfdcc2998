using System.Text.Json;
using Tagflow.Tests.Contacts;

namespace Tagflow.Tests.Fields;

/// <summary>The contact calls that the field, blocklist and event tests build on.</summary>
internal static class Subscriber
{
    /// <summary>POST /subscriber (add or update); asserts 200 and answers the contact.</summary>
    public static Task<JsonElement> AddAsync(HttpClient client, object body) => ContactCalls.AddAsync(client, body);

    /// <summary>GET /subscriber/{id}; asserts 200 and answers the contact.</summary>
    public static Task<JsonElement> GetAsync(HttpClient client, string id) => ContactCalls.GetAsync(client, id);

    public static string Id(JsonElement contact) => contact.GetProperty("id").GetString()!;

    /// <summary>A value in a failure message, with its line breaks and spaces visible.</summary>
    public static string Show(string? value) => JsonSerializer.Serialize(value);
}
