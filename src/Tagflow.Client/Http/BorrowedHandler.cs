namespace Tagflow.Client.Http;

/// <summary>
/// Sends through a handler the caller keeps: the client's pipeline disposes this wrapper, never the handler
/// (a <see cref="DelegatingHandler"/> would dispose its inner handler with itself).
/// </summary>
internal sealed class BorrowedHandler(HttpMessageHandler handler) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _invoker = new(handler, disposeHandler: false);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _invoker.SendAsync(request, cancellationToken);

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _invoker.Send(request, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _invoker.Dispose();
        base.Dispose(disposing);
    }
}
