using System.Net;
using System.Net.Sockets;

namespace Tagflow.Webhooks;

/// <summary>A webhook's host resolves only to addresses Tagflow does not call (not global unicast, or this server's own).</summary>
internal sealed class PrivateTargetException(string message) : Exception(message);

/// <summary>Resolves a webhook's host name to the addresses Tagflow may connect to; <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/> unless a test points names elsewhere.</summary>
internal delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

/// <summary>
/// Which addresses a webhook may reach. Unless the operator allows private targets
/// (<c>--webhook-allow-private</c>), only global unicast addresses (<see cref="SpecialAddresses"/>)
/// that are not this machine's own (<see cref="OwnAddresses"/>), so that a webhook URL cannot be used
/// to reach the server itself or the machines behind it. The check that holds runs when Tagflow
/// connects, on the very address it connects to; the one on the URL when a webhook is saved only
/// answers early what would fail later.
/// </summary>
internal static class WebhookTargets
{
    private const string WhatToDo = "Point the webhook at a public name or address; to call a receiver on your own network, the operator can allow private targets with --webhook-allow-private.";

    /// <summary>Why a webhook is not sent to <paramref name="address"/> (its special-purpose range, or that it is this server's), or null if it may be.</summary>
    public static string? Refusal(IPAddress address, IReadOnlySet<IPAddress> own)
    {
        var range = SpecialAddresses.RangeOf(address);
        if (!own.Contains(OwnAddresses.Plain(address))) return range;
        return range is null ? "an address of this server" : $"{range}, an address of this server";
    }

    /// <summary>A sentence if the URL is not one a webhook can call (an absolute http or https URL, to a public host unless private ones are allowed).</summary>
    public static string? UrlProblem(string url, bool allowPrivate)
    {
        // The placeholders are filled in per contact; any value stands in for them here.
        if (!Uri.TryCreate(url.Replace("__", "x", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            return "The key \"url\" must be an absolute http:// or https:// URL.";
        if (allowPrivate) return null;
        // The host as it is looked up: IDNA maps other forms of digits and letters (①②⑦.0.0.1, ＬＯＣＡＬＨＯＳＴ), and a final dot changes nothing.
        var host = uri.IdnHost.TrimEnd('.');
        var why = IPAddress.TryParse(host, out var literal) ? Refusal(literal, OwnAddresses.Current)
            : host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) ? "loopback"
            : host.Equals(Dns.GetHostName(), StringComparison.OrdinalIgnoreCase) ? "this server's host name"
            : null;
        return why is null ? null : $"The key \"url\" points to a private or special-purpose address, which webhooks do not call: {literal?.ToString() ?? uri.Host} ({why}). {WhatToDo}";
    }

    /// <summary>The handler webhooks are sent through: no redirects, no proxy, no cookies, and (unless allowed) only global addresses that are not this server's.</summary>
    public static SocketsHttpHandler Handler(bool allowPrivate, HostResolver resolve) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolve(host, cancellationToken);
            // Only the addresses checked here are connected to: no second look-up can answer differently.
            if (!allowPrivate) addresses = Callable(host, addresses);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>The addresses a webhook may be sent to; if there is none, a <see cref="PrivateTargetException"/> that names the addresses and why each is refused.</summary>
    private static IPAddress[] Callable(string host, IPAddress[] addresses)
    {
        var own = OwnAddresses.Current;
        var judged = addresses.Select(a => (Address: a, Why: Refusal(a, own))).ToArray();
        var callable = judged.Where(j => j.Why is null).Select(j => j.Address).ToArray();
        if (callable.Length > 0) return callable;
        if (judged.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        // A few are enough to tell what is wrong, and the sentence must fit the attempt's record.
        var named = string.Join("; ", judged.Take(3).Select(j => $"{j.Address}: {j.Why}")) + (judged.Length > 3 ? $"; {judged.Length - 3} more" : "");
        throw new PrivateTargetException($"Webhooks do not call {host} ({named}). {WhatToDo}");
    }
}
