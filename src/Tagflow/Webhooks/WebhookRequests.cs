using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tagflow.Webhooks;

/// <summary>
/// What a webhook sends for a contact: the parameters' values (the address always, under
/// <c>email</c> unless a parameter already sends it), put into the URL's <c>__name__</c>
/// placeholders and into the body (JSON or form) of a POST, or the query string of a GET.
/// </summary>
internal static partial class WebhookRequests
{
    public static readonly JsonSerializerOptions ParameterJson = new(JsonSerializerDefaults.Web);

    /// <summary>The value a test event adds (<c>"tagflow_test": "true"</c>), after the webhook's own, so that no parameter hides it.</summary>
    public const string TestMarker = "tagflow_test";

    public static List<WebhookParameter> ParseParameters(string stored) =>
        JsonSerializer.Deserialize<List<WebhookParameter>>(stored, ParameterJson) ?? [];

    /// <summary>
    /// The request for one contact: <paramref name="contactValue"/> answers a contact field's value
    /// by key (<c>email</c>, <c>id</c>, <c>sms_phone</c>, <c>fieldFirstName</c>…).
    /// </summary>
    public static (string Url, string Body, string ContentType) Build(Webhook webhook, Func<string, string> contactValue, bool test = false)
    {
        var parameters = ParseParameters(webhook.Parameters);
        var values = new List<KeyValuePair<string, string>>();
        if (!parameters.Any(p => p.Field == "email")) values.Add(new("email", contactValue("email")));
        foreach (var p in parameters)
            values.Add(new(p.Name, p.Field is { } field ? contactValue(field) : p.Value ?? ""));
        if (test) values.Add(new(TestMarker, "true"));
        var byName = values.GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        var url = UrlPlaceholder().Replace(webhook.Url, m => byName.TryGetValue(m.Groups[1].Value, out var v) ? Uri.EscapeDataString(v) : m.Value);
        if (webhook.Method == "GET")
        {
            var query = Form(values);
            url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
            return (url, "", "");
        }
        if (webhook.Format == "form") return (url, Form(values), "application/x-www-form-urlencoded");
        var json = new JsonObject();
        foreach (var (name, value) in values) json[name] = value;
        return (url, json.ToJsonString(), "application/json");
    }

    private static string Form(IEnumerable<KeyValuePair<string, string>> values) =>
        string.Join('&', values.Select(v => Uri.EscapeDataString(v.Key) + "=" + Uri.EscapeDataString(v.Value)));

    /// <summary>The placeholder names a URL uses (<c>__mail__</c> → <c>mail</c>).</summary>
    public static IEnumerable<string> Placeholders(string url) => UrlPlaceholder().Matches(url).Select(m => m.Groups[1].Value);

    [GeneratedRegex("__([A-Za-z0-9][A-Za-z0-9_.-]*?)__")]
    private static partial Regex UrlPlaceholder();

    /// <summary>A new Standard Webhooks message id.</summary>
    public static string NewMessageId() => "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>
    /// The Standard Webhooks signature: <c>v1,</c> and the base64 of HMAC-SHA256 over
    /// <c>id.timestamp.body</c>, keyed with the base64-decoded part of the <c>whsec_</c> secret.
    /// </summary>
    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{messageId}.{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
