using System.Net.Http.Json;
using System.Text.Json;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Fields;

/// <summary>The contact calls that the field, blocklist and event tests build on.</summary>
internal static class Subscriber
{
    /// <summary>POST /subscriber (add or update); asserts 200 and answers the contact.</summary>
    public static async Task<JsonElement> AddAsync(HttpClient client, object body) =>
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber", body));

    /// <summary>GET /subscriber/{id}; asserts 200 and answers the contact.</summary>
    public static async Task<JsonElement> GetAsync(HttpClient client, string id) =>
        await WireAssert.OkAsync(await client.GetAsync($"/subscriber/{id}"));

    public static string Id(JsonElement contact) => contact.GetProperty("id").GetString()!;

    /// <summary>A value in a failure message, with its line breaks and spaces visible.</summary>
    public static string Show(string? value) => JsonSerializer.Serialize(value);
}
