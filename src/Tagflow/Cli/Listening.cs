using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Tagflow.Cli;

/// <summary>
/// Where <c>serve</c> listens (<c>--urls</c>), and why it could not: one sentence that says what to
/// do, instead of the server's stack trace.
/// </summary>
internal static class Listening
{
    private const string Choose = "--urls (TAGFLOW_URLS)";

    /// <summary>
    /// Refuses a value Kestrel could never listen on before anything is set up, so that a typo
    /// creates no database. Tagflow speaks plain HTTP: TLS belongs to a reverse proxy in front of it.
    /// </summary>
    public static void Check(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).DefaultIfEmpty(""))
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                throw new AdminException($"'{url}' is not an address to listen on: give {Choose} as http://HOST:PORT, such as {TagflowSettings.DefaultUrls}.");
            }
            if (address.Scheme == "https")
                throw new AdminException($"Tagflow listens on plain HTTP, not on {url}: put a reverse proxy in front of it for HTTPS, "
                    + $"give {Choose} as http://HOST:PORT and --public-url as the proxy's https:// address.");
            if (address.Scheme != "http")
                throw new AdminException($"'{url}' is not an address to listen on: give {Choose} as http://HOST:PORT, such as {TagflowSettings.DefaultUrls}.");
            if (!address.IsUnixPipe && address.Port is < 0 or > 65535)
                throw new AdminException($"'{url}' has no valid port: give {Choose} a port from 1 to 65535, such as {TagflowSettings.DefaultUrls}.");
        }
    }

    /// <summary>The sentence for a server that did not start, most often because it could not listen.</summary>
    public static string Failure(Exception exception, string urls)
    {
        foreach (var e in Causes(exception))
        {
            switch (e)
            {
                case AddressInUseException:
                case SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }:
                    return $"Cannot listen on {urls}: another program uses that port; stop it, or choose another port with {Choose}.";
                case SocketException { SocketErrorCode: SocketError.AccessDenied }:
                    return $"Cannot listen on {urls}: permission denied, as ports below 1024 need administrator rights; "
                        + $"choose a port from 1024 up with {Choose}, such as {TagflowSettings.DefaultUrls}.";
                case SocketException { SocketErrorCode: SocketError.AddressNotAvailable }:
                    return $"Cannot listen on {urls}: that address is not one of this machine's; "
                        + $"choose one of its addresses with {Choose}, or http://0.0.0.0:PORT for all of them.";
                case SocketException socket:
                    return $"Cannot listen on {urls}: {socket.Message}; choose another address with {Choose}.";
            }
        }
        // Anything else: its message's first line, which is the sentence; the stack trace helps nobody here.
        return $"Cannot start: {exception.GetBaseException().Message.Split('\n')[0].Trim()}";
    }

    private static IEnumerable<Exception> Causes(Exception exception)
    {
        yield return exception;
        IEnumerable<Exception> inner = exception is AggregateException aggregate ? aggregate.InnerExceptions
            : exception.InnerException is { } cause ? [cause] : [];
        foreach (var e in inner.SelectMany(Causes)) yield return e;
    }
}
