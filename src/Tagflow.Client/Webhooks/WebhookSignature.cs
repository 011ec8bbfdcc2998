using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tagflow.Client;

/// <summary>
/// Checks that a webhook request really comes from Tagflow (or any sender signing the
/// <see href="https://www.standardwebhooks.com/">Standard Webhooks</see> way) and is recent. Tagflow
/// signs every outbound webhook with the webhook's own secret (<c>whsec_…</c>, shown when the webhook
/// is created): the <c>webhook-signature</c> header holds <c>v1,</c> and the base64 of
/// HMAC-SHA256 over <c>webhook-id.webhook-timestamp.body</c>.
/// </summary>
/// <example>
/// In an ASP.NET Core receiver, read the raw body first, then:
/// <code>
/// if (!WebhookSignature.Verify(secret, request.Headers["webhook-id"], request.Headers["webhook-timestamp"],
///         request.Headers["webhook-signature"], body))
///     return Results.Unauthorized();
/// </code>
/// Keep the <c>webhook-id</c> of handled requests for a while: a delivery that was retried arrives
/// again under the same id.
/// </example>
public static class WebhookSignature
{
    private const string SecretPrefix = "whsec_";
    private const string Version = "v1,";

    /// <summary>How far the timestamp may be from now, either way, unless told otherwise: 5 minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// True if <paramref name="signatureHeader"/> holds a valid signature of the request by
    /// <paramref name="secret"/> and the timestamp is within <paramref name="tolerance"/> of
    /// <paramref name="now"/>; false for anything else, including missing or malformed headers.
    /// </summary>
    /// <param name="secret">The webhook's signing secret, <c>whsec_…</c>.</param>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header (Unix seconds).</param>
    /// <param name="signatureHeader">The <c>webhook-signature</c> header: one or more space-separated <c>v1,…</c> signatures.</param>
    /// <param name="body">The raw request body exactly as received (empty for a GET).</param>
    /// <param name="tolerance">How old (or how far ahead) the timestamp may be; <see cref="DefaultTolerance"/> when null.</param>
    /// <param name="now">The current time; the system clock when null.</param>
    public static bool Verify(string secret, string? webhookId, string? webhookTimestamp, string? signatureHeader, string body,
        TimeSpan? tolerance = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(signatureHeader)
            || !long.TryParse(webhookTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
            return false;
        var sent = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(timestamp, 0, 253402300799));
        if ((now ?? DateTimeOffset.UtcNow) - sent is var age && (age > (tolerance ?? DefaultTolerance) || -age > (tolerance ?? DefaultTolerance)))
            return false;
        var expected = Mac(secret, webhookId, timestamp, body);
        var valid = false;
        foreach (var part in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!part.StartsWith(Version, StringComparison.Ordinal)) continue;
            var given = new byte[expected.Length];
            if (Convert.TryFromBase64String(part[Version.Length..], given, out var length) && length == expected.Length)
                valid |= CryptographicOperations.FixedTimeEquals(given, expected);
        }
        return valid;
    }

    /// <summary>The <c>webhook-signature</c> value for a request: for tests of a receiver.</summary>
    /// <param name="secret">The webhook's signing secret, <c>whsec_…</c>.</param>
    /// <param name="webhookId">The message id.</param>
    /// <param name="timestamp">The Unix time of sending, in seconds.</param>
    /// <param name="body">The raw body.</param>
    public static string Sign(string secret, string webhookId, long timestamp, string body) =>
        Version + Convert.ToBase64String(Mac(secret, webhookId, timestamp, body));

    private static byte[] Mac(string secret, string webhookId, long timestamp, string body)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
            throw new ArgumentException("A webhook secret starts with whsec_.", nameof(secret));
        var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{webhookId}.{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}"));
    }
}
