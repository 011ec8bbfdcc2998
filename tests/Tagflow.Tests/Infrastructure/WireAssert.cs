using System.Net;
using System.Text.Json;

namespace Tagflow.Tests.Infrastructure;

/// <summary>Assertions on the wire's answer shapes.</summary>
public static class WireAssert
{
    /// <summary>Asserts the status and that the body is a JSON list holding exactly one string; answers it.</summary>
    public static async Task<string> MessageAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Array, doc.RootElement.ValueKind);
        Assert.Equal(1, doc.RootElement.GetArrayLength());
        return doc.RootElement[0].GetString()!;
    }

    /// <summary>Asserts a 406 envelope with the given error number; answers the whole envelope.</summary>
    public static async Task<JsonElement> RefusedAsync(HttpResponseMessage response, int error)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotAcceptable, $"Expected 406, got {(int)response.StatusCode}: {text}");
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal(error, root.GetProperty("error").GetInt32());
        return root;
    }

    /// <summary>Asserts 200 and answers the parsed body.</summary>
    public static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        return JsonDocument.Parse(text).RootElement;
    }
}
