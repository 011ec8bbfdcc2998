using System.IO.Pipelines;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Tagflow.Wire;

/// <summary>
/// The wire's rules below HTTP, for what Kestrel decides before any middleware runs: a bodyless
/// HTTP/1.0 POST is a request (<see cref="Http10Requests"/>), and Kestrel's own refusals carry a
/// sentence like every other error (<see cref="KestrelRefusals"/>).
/// </summary>
internal static class WireConnections
{
    /// <summary>Puts both in front of Kestrel on every connection of the endpoint.</summary>
    public static void Use(ListenOptions listen) => listen.Use(next => connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new DuplexPipe(new Http10Requests(transport.Input), new KestrelRefusals(transport.Output));
        return next(connection);
    });

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
