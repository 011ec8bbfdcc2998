using System.IO.Pipelines;
using System.Net;
using System.Text;
using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>The contact lists hand out ids while the answer is still arriving, and stop when cancelled.</summary>
public sealed class StreamingTests
{
    /// <summary>Only for a client that buffers the whole answer and so never gets there: nothing here waits for time.</summary>
    private static readonly TimeSpan FailSafe = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task IdsAreHandedOutBeforeTheAnswerIsComplete()
    {
        var body = new Pipe();
        var handler = new ScriptedHandler().ThenStream(body.Reader.AsStream());
        using var kt = handler.Client(adjust: o => o.PageSize = 0);
        await WriteAsync(body, """["1","2",""");

        await using var ids = kt.Contacts.ListAsync(cancellationToken: CancellationToken.None).GetAsyncEnumerator();

        // The list is still open: a client that read the whole answer first would wait here for ever.
        Assert.True(await ids.MoveNextAsync().AsTask().WaitAsync(FailSafe));
        Assert.Equal(1, ids.Current);
        Assert.True(await ids.MoveNextAsync().AsTask().WaitAsync(FailSafe));
        Assert.Equal(2, ids.Current);

        await WriteAsync(body, "\"3\"]");
        await body.Writer.CompleteAsync();
        Assert.True(await ids.MoveNextAsync());
        Assert.Equal(3, ids.Current);
        Assert.False(await ids.MoveNextAsync());
    }

    [Fact]
    public async Task TaggedContactsAreHandedOutBeforeTheAnswerIsComplete()
    {
        var body = new Pipe();
        var handler = new ScriptedHandler().ThenStream(body.Reader.AsStream());
        using var kt = handler.Client(adjust: o => o.PageSize = 0);
        await WriteAsync(body, """{"3":"1760530436",""");

        await using var tagged = kt.Contacts.TaggedAsync(17, cancellationToken: CancellationToken.None).GetAsyncEnumerator();

        Assert.True(await tagged.MoveNextAsync().AsTask().WaitAsync(FailSafe));
        Assert.Equal(new TaggedContact(3, DateTimeOffset.FromUnixTimeSeconds(1760530436)), tagged.Current);
        await WriteAsync(body, "\"4\":\"1760530437\"}");
        await body.Writer.CompleteAsync();
        Assert.True(await tagged.MoveNextAsync());
        Assert.False(await tagged.MoveNextAsync());
    }

    [Fact]
    public async Task CancellingThroughWithCancellationStopsAListWaitingForMoreIds()
    {
        var body = new Pipe();
        var handler = new ScriptedHandler().ThenStream(body.Reader.AsStream());
        using var kt = handler.Client(adjust: o => o.PageSize = 0);
        await WriteAsync(body, """["1",""");
        using var cancel = new CancellationTokenSource();

        // What `await foreach (… in list.WithCancellation(token))` does: the token goes to the enumerator, not the method.
        await using var ids = kt.Contacts.ListAsync(cancellationToken: CancellationToken.None).GetAsyncEnumerator(cancel.Token);
        Assert.True(await ids.MoveNextAsync().AsTask().WaitAsync(FailSafe));
        var next = ids.MoveNextAsync().AsTask(); // waits for bytes that never come
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(FailSafe));
    }

    [Fact]
    public async Task AnErrorAnswerToAListIsThrownWhenEnumerationStarts()
    {
        var handler = new ScriptedHandler().Then(HttpStatusCode.NotAcceptable, """{"error":403}""");
        using var kt = handler.Client();

        var e = await Assert.ThrowsAsync<KlickTippException>(async () =>
        {
            await foreach (var _ in kt.Contacts.TaggedAsync(17, cancellationToken: CancellationToken.None))
                Assert.Fail("An error answer has no entries.");
        });

        Assert.Equal(403, e.ErrorCode);
    }

    private static async Task WriteAsync(Pipe pipe, string text) => await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(text));
}
