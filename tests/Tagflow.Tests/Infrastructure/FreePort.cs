using System.Net;
using System.Net.Sockets;

namespace Tagflow.Tests.Infrastructure;

/// <summary>A loopback port that was free a moment ago, for a listener that must be given its port up front.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
