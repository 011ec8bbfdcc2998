using System.Diagnostics;
using System.Net;
using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>Which failures are retried, how often, and after how long.</summary>
public sealed class RetryTests
{
    private static readonly HttpRequestException ConnectionRefused = new(HttpRequestError.ConnectionError, "Connection refused (api.example.test:443)");

    private static readonly HttpRequestException ConnectionReset = new(HttpRequestError.ResponseEnded, "The response ended prematurely.");

    /// <summary>Only for a broken client that never gets there: no test waits for time to pass.</summary>
    private static readonly TimeSpan FailSafe = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReadsAreRetriedAfterServerErrorsUntilTheySucceed()
    {
        var handler = new ScriptedHandler()
            .Then(HttpStatusCode.ServiceUnavailable, "[\"busy\"]")
            .Then(HttpStatusCode.InternalServerError, "[\"oops\"]")
            .ThenOk("""{"21":"Customer"}""");
        using var kt = handler.Client();

        var tags = await kt.Tags.ListAsync(CancellationToken.None);

        Assert.Equal("Customer", tags[21]);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task RetriesStopAtTheConfiguredLimit()
    {
        var handler = new ScriptedHandler();
        for (var i = 0; i < 3; i++) handler.Then(HttpStatusCode.ServiceUnavailable, "[\"busy\"]");
        using var kt = handler.Client(adjust: o => o.MaxRetries = 2);

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.ListAsync(CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.ServerError, e.Kind);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task NoRetryWhenRetriesAreOff()
    {
        var handler = new ScriptedHandler().Then(HttpStatusCode.ServiceUnavailable, "[\"busy\"]");
        using var kt = handler.Client(adjust: o => o.MaxRetries = 0);

        await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.ListAsync(CancellationToken.None));

        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.NotAcceptable)]
    public async Task ClientErrorsAreNeverRetried(HttpStatusCode status)
    {
        var handler = new ScriptedHandler().Then(status, status == HttpStatusCode.NotAcceptable ? """{"error":5}""" : "[\"no\"]");
        using var kt = handler.Client();

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.ListAsync(CancellationToken.None));

        Assert.Equal(status, e.StatusCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task TooManyRequestsIsRetriedAfterTheWaitTheServerAsksFor()
    {
        var time = new ManualTimeProvider();
        var handler = new ScriptedHandler()
            .Then(HttpStatusCode.TooManyRequests, "[\"Slow down. Try again in 7 seconds.\"]", ("Retry-After", "7"))
            .ThenOk("[49]");
        using var kt = handler.Client(adjust: o => o.TimeProvider = time);

        // Even a create is retried: a 429 says the server did nothing.
        var create = kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);
        await time.WhenTimerSetAsync(TimeSpan.FromSeconds(7)).WaitAsync(FailSafe);
        time.Advance(TimeSpan.FromSeconds(7) - TimeSpan.FromTicks(1));
        Assert.Single(handler.Requests); // not a moment before the wait the server asked for
        time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(49, await create.WaitAsync(FailSafe));
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task AWaitLongerThanTheLimitFailsAtOnceAndSaysHowLong()
    {
        var handler = new ScriptedHandler().Then(HttpStatusCode.TooManyRequests, "[\"Too many failed logins for this username. Try again in 900 seconds.\"]", ("Retry-After", "900"));
        using var kt = handler.Client();

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.ListAsync(CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.TooManyRequests, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(900), e.RetryAfter);
        Assert.Equal("Too many requests. Please try again in 900 seconds.", e.UserMessage);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task AFailureToConnectIsRetriedEvenForACreate()
    {
        var handler = new ScriptedHandler().ThenThrow(ConnectionRefused).ThenOk("[49]");
        using var kt = handler.Client();

        Assert.Equal(49, await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None));
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task ABrokenConnectionIsRetriedForARepeatableCall()
    {
        var handler = new ScriptedHandler().ThenThrow(ConnectionReset).ThenOk("""{"21":"Customer"}""");
        using var kt = handler.Client();

        await kt.Tags.ListAsync(CancellationToken.None);

        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task ACreateIsNotRepeatedAfterAServerErrorThatMayHaveCreatedIt()
    {
        var handler = new ScriptedHandler().Then(HttpStatusCode.InternalServerError, "[\"Internal error\"]");
        using var kt = handler.Client();

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.ServerError, e.Kind);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ACreateIsNotRepeatedAfterABrokenConnection()
    {
        var handler = new ScriptedHandler().ThenThrow(ConnectionReset);
        using var kt = handler.Client();

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Fields.CreateAsync("Shoe size", FieldType.Number, CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.Unreachable, e.Kind);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ResendingTheConfirmationEmailIsNotRepeatedAfterAServerError()
    {
        var handler = new ScriptedHandler().Then(HttpStatusCode.BadGateway, "[\"Bad gateway\"]");
        using var kt = handler.Client();

        await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.ResendAsync("ann@example.com", CancellationToken.None));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task AddOrUpdateIsRetriedAfterAServerErrorWithTheSameBody()
    {
        var handler = new ScriptedHandler()
            .Then(HttpStatusCode.ServiceUnavailable, "[\"busy\"]")
            .ThenOk(ContactParsingTests.MinimalContact);
        using var kt = handler.Client();

        await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com", Fields = new() { { StandardFieldKeys.FirstName, "Ann" } } }, CancellationToken.None);

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(handler.Requests[0].Body, handler.Requests[1].Body);
        Assert.Contains("\"fieldFirstName\":\"Ann\"", handler.Requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAttemptThatTakesTooLongIsAbandonedAndRetried()
    {
        var time = new ManualTimeProvider();
        var handler = new ScriptedHandler()
            .ThenAsync(async (_, cancellationToken) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken); // never answers; only the attempt timeout ends it
                throw new UnreachableException();
            })
            .ThenOk("""{"21":"Customer"}""");
        using var kt = handler.Client(adjust: o => { o.TimeProvider = time; o.AttemptTimeout = TimeSpan.FromSeconds(5); o.RetryDelay = TimeSpan.Zero; });

        var list = kt.Tags.ListAsync(CancellationToken.None);
        await time.WhenTimerSetAsync(TimeSpan.FromSeconds(5)).WaitAsync(FailSafe);
        time.Advance(TimeSpan.FromSeconds(5));
        var tags = await list.WaitAsync(FailSafe);

        Assert.Equal("Customer", tags[21]);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task CancellationByTheCallerIsThrownAsCancellationAndNotRetried()
    {
        using var cancel = new CancellationTokenSource();
        var handler = new ScriptedHandler().Then(_ =>
        {
            cancel.Cancel();
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("[\"busy\"]") };
        });
        using var kt = handler.Client();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kt.Tags.ListAsync(cancel.Token));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task EveryWriteCarriesAnIdempotencyKeyThatItsRetriesKeep()
    {
        var handler = new ScriptedHandler()
            .Then(HttpStatusCode.ServiceUnavailable, "[\"busy\"]")
            .ThenOk()
            .ThenOk()
            .ThenOk("""{"21":"Customer"}""");
        using var kt = handler.Client();

        await kt.Contacts.TagAsync("ann@example.com", [21], CancellationToken.None);
        await kt.Contacts.UntagAsync("ann@example.com", 21, CancellationToken.None);
        await kt.Tags.ListAsync(CancellationToken.None);

        var requests = handler.Requests;
        Assert.Equal(4, requests.Count);
        var key = requests[0].Headers["Idempotency-Key"];
        Assert.True(Guid.TryParse(key, out _), key);
        Assert.Equal(key, requests[1].Headers["Idempotency-Key"]);
        Assert.NotEqual(key, requests[2].Headers["Idempotency-Key"]);
        Assert.False(requests[3].Headers.ContainsKey("Idempotency-Key"));
    }

    [Fact]
    public async Task AWriteThatIsStillBeingAnsweredIsAskedForAgainEvenWhenItMayNotRunTwice()
    {
        // Tagflow's 409 with Retry-After: the same key's first attempt is still running; the repeat gets its answer.
        var handler = new ScriptedHandler()
            .Then(HttpStatusCode.Conflict, "[\"A request with this Idempotency-Key is still being answered. Try again in 1 second.\"]", ("Retry-After", "1"))
            .ThenOk("[49]");
        using var kt = handler.Client();

        var id = await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);

        Assert.Equal(49, id);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(handler.Requests[0].Headers["Idempotency-Key"], handler.Requests[1].Headers["Idempotency-Key"]);
    }

    [Fact]
    public async Task AConflictWithoutRetryAfterIsNotRetried()
    {
        var handler = new ScriptedHandler().Then(HttpStatusCode.Conflict, "[\"This Idempotency-Key was sent before with another request.\"]");
        using var kt = handler.Client();

        await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None));

        Assert.Single(handler.Requests);
    }
}
