using System.Net;
using System.Net.Sockets;

namespace Tagflow.Webhooks;

/// <summary>A webhook's host resolves only to addresses Tagflow does not call (private, loopback, link-local).</summary>
internal sealed class PrivateTargetException(string message) : Exception(message);

/// <summary>Resolves a webhook's host name to the addresses Tagflow may connect to; <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/> unless a test points names elsewhere.</summary>
internal delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

/// <summary>
/// Which addresses a webhook may reach. Private, loopback, link-local and other non-public ranges are
/// refused unless the operator allows them (<c>--webhook-allow-private</c>), so that a webhook URL
/// cannot be used to reach the machines behind the server. The check runs on the addresses the host
/// resolves to when Tagflow connects, not only on the URL, so a name that resolves to 127.0.0.1 (or
/// changes to it later) is refused too.
/// </summary>
internal static class WebhookTargets
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
                || b[0] == 100 && b[1] >= 64 && b[1] <= 127 // carrier-grade NAT
                || b[0] == 169 && b[1] == 254 // link-local (cloud metadata services live here)
                || b[0] == 172 && b[1] >= 16 && b[1] <= 31
                || b[0] == 192 && b[1] == 168
                || b[0] == 192 && b[1] == 0 && b[2] == 0
                || b[0] == 198 && (b[1] == 18 || b[1] == 19)); // benchmarking
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC); // unique local fc00::/7
        }
        return false;
    }

    /// <summary>A sentence if the URL is not one a webhook can call (an absolute http or https URL, to a public host unless private ones are allowed).</summary>
    public static string? UrlProblem(string url, bool allowPrivate)
    {
        // The placeholders are filled in per contact; any value stands in for them here.
        if (!Uri.TryCreate(url.Replace("__", "x", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            return "The key \"url\" must be an absolute http:// or https:// URL.";
        if (allowPrivate) return null;
        if (uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || IPAddress.TryParse(uri.DnsSafeHost, out var literal) && !IsPublic(literal))
            return "The key \"url\" points to a private, loopback or link-local address, which webhooks do not call (the operator can allow it with --webhook-allow-private).";
        return null;
    }

    /// <summary>The handler webhooks are sent through: no redirects, no proxy, no cookies, and (unless allowed) only public addresses.</summary>
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
            if (!allowPrivate) addresses = addresses.Where(IsPublic).ToArray();
            if (addresses.Length == 0)
                throw new PrivateTargetException($"{host} resolves only to private, loopback or link-local addresses, which webhooks do not call (the operator can allow them with --webhook-allow-private).");
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
}
