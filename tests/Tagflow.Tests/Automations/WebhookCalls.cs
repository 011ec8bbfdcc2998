using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;

namespace Tagflow.Tests.Automations;

/// <summary>The webhook calls and checks the webhook tests share.</summary>
internal static class WebhookCalls
{
    public static async Task<JsonElement> GetWebhookAsync(HttpClient client, string webhookId) =>
        await WireAssert.OkAsync(await client.GetAsync($"/webhook/{webhookId}"));

    /// <summary>GET /webhook/{id}/deliveries: newest first.</summary>
    public static async Task<JsonElement[]> DeliveriesAsync(HttpClient client, string webhookId) =>
        [.. (await WireAssert.OkAsync(await client.GetAsync($"/webhook/{webhookId}/deliveries"))).EnumerateArray()];

    /// <summary>The webhook's only delivery, once it has <paramref name="attempts"/> attempts recorded.</summary>
    public static async Task<JsonElement> DeliveryAfterAsync(HttpClient client, string webhookId, int attempts)
    {
        JsonElement delivery = default;
        await EventuallyAsync(async () =>
        {
            var deliveries = await DeliveriesAsync(client, webhookId);
            Assert.True(deliveries.Length <= 1, $"{deliveries.Length} deliveries, not one");
            return deliveries.Length == 1 && Attempts(delivery = deliveries[0]).Length >= attempts;
        }, $"the delivery has {attempts} attempt(s)");
        Assert.Equal(attempts, Attempts(delivery).Length);
        return delivery;
    }

    public static JsonElement[] Attempts(JsonElement delivery) => [.. delivery.GetProperty("attempts").EnumerateArray()];

    public static long Unix(JsonElement element, string key) => long.Parse(element.GetProperty(key).GetString()!, CultureInfo.InvariantCulture);

    public static Task<HttpResponseMessage> RetryAsync(HttpClient client, string webhookId, string deliveryId) =>
        client.PostAsync($"/webhook/{webhookId}/deliveries/{deliveryId}/retry", null);

    public static Task<HttpResponseMessage> PutAsync(HttpClient client, string webhookId, object body) =>
        client.PutAsJsonAsync($"/webhook/{webhookId}", body);

    /// <summary>
    /// Checks the Standard Webhooks signature from first principles rather than with Tagflow's code:
    /// the key is the base64-decoded part after <c>whsec_</c>, the signed content is
    /// <c>webhook-id.webhook-timestamp.body</c>, the header lists <c>v1,&lt;base64 HMAC-SHA256&gt;</c> entries.
    /// </summary>
    public static void AssertSigned(ReceivedRequest request, string secret)
    {
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var content = Encoding.UTF8.GetBytes($"{request.Header("webhook-id")}.{request.Header("webhook-timestamp")}.{request.Body}");
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
        Assert.Contains(expected, request.Header("webhook-signature").Split(' '));
    }

    /// <summary>Asserts the Standard Webhooks headers: an id <c>msg_…</c>, the server clock's time, and a signature that verifies.</summary>
    public static void AssertStandardWebhook(ReceivedRequest request, string secret, TagflowHost host)
    {
        Assert.StartsWith("msg_", request.Header("webhook-id"), StringComparison.Ordinal);
        Assert.Equal(host.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), request.Header("webhook-timestamp"));
        AssertSigned(request, secret);
    }
}
