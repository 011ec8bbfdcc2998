using System.Net;
using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>Every answer the wire contract defines becomes one KlickTippException a program and a person can act on.</summary>
public sealed class ErrorMappingTests
{
    public static TheoryData<int, string> EveryCode => new()
    {
        { 4, "This email address has been unsubscribed - no re-entry possible." },
        { 5, "Invalid email address." },
        { 6, "The confirmation email could not be sent." },
        { 7, "Email address not found." },
        { 8, "Invalid value in a data field." },
        { 9, "This SMS number is already assigned to another contact." },
        { 10, "The contact could not be updated." },
        { 11, "Invalid phone number." },
        { 12, "Internal error. Please try again later." },
        { 30, "This email address is blocked and cannot be used for subscription." },
        { 31, "SmartTags are assigned by the system only and cannot be added or removed." },
        { 32, "Either an email address or an SMS number is required." },
        { 401, "Contact not found." },
        { 402, "Opt-in process not found." },
        { 403, "Tag not found." },
        { 507, "This email address is already assigned to another contact." },
        { 601, "A tag with this name already exists." },
        { 602, "Standard data fields cannot be changed." },
        { 603, "A data field with this name already exists." },
        { 604, "The type of a data field cannot be changed." },
        { 605, "An opt-in process with this name already exists." },
        { 606, "The predefined opt-in process cannot be renamed, made single opt-in or deleted." },
        { 13, "Something went wrong. Please try again later. Error: 13" },
        { 999, "Something went wrong. Please try again later. Error: 999" },
    };

    [Theory]
    [MemberData(nameof(EveryCode))]
    public async Task EveryRefusalCodeHasASentenceForTheUser(int code, string sentence)
    {
        var e = await RefusedAsync($$"""{"error":{{code}}}""");

        Assert.Equal(KlickTippErrorKind.Refused, e.Kind);
        Assert.Equal(HttpStatusCode.NotAcceptable, e.StatusCode);
        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(sentence, e.UserMessage);
    }

    [Fact]
    public async Task AFieldErrorNamesTheFieldItsValueAndTheReason()
    {
        var e = await RefusedAsync("""{"error":8,"field":"Birthday","name":"fieldBirthday","field_value":"08.05.2024","reason":"Send Unix seconds."}""");

        Assert.Equal(8, e.ErrorCode);
        Assert.Equal("fieldBirthday", e.FieldKey);
        Assert.Equal("Birthday", e.FieldLabel);
        Assert.Equal("08.05.2024", e.FieldValue);
        Assert.Equal("Send Unix seconds.", e.Reason);
        Assert.Equal("Invalid value in the data field \"Birthday\". Send Unix seconds.", e.UserMessage);
        Assert.Contains("fieldBirthday", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedUpdateSaysWhyWithItsSubCode()
    {
        var e = await RefusedAsync("""{"error":10,"code":507}""");

        Assert.Equal(10, e.ErrorCode);
        Assert.Equal(507, e.SubCode);
        Assert.Equal("The contact could not be updated: This email address is already assigned to another contact.", e.UserMessage);
    }

    [Fact]
    public async Task ARefusalWithoutANumberShowsTheServersSentence()
    {
        var e = await RefusedAsync("""["The opt-in process is archived."]""");

        Assert.Equal(KlickTippErrorKind.Refused, e.Kind);
        Assert.Null(e.ErrorCode);
        Assert.Equal("The opt-in process is archived.", e.UserMessage);
    }

    [Fact]
    public async Task CodesSentAsStringsAreReadAsNumbers()
    {
        var e = await RefusedAsync("""{"error":"10","code":"5"}""");

        Assert.Equal(10, e.ErrorCode);
        Assert.Equal(5, e.SubCode);
    }

    [Theory]
    [InlineData(400, KlickTippErrorKind.BadRequest, "The key \"email\" is required.")]
    [InlineData(401, KlickTippErrorKind.WrongLogin, "Wrong username or password.")]
    [InlineData(403, KlickTippErrorKind.AccessDenied, "API access denied.")]
    [InlineData(404, KlickTippErrorKind.NotFound, "There is no such entity.")]
    public async Task StatusCodesAreDistinguishableWithoutParsingText(int status, KlickTippErrorKind kind, string sentence)
    {
        var handler = new ScriptedHandler().Then((HttpStatusCode)status, $"[{System.Text.Json.JsonSerializer.Serialize(sentence)}]");
        using var kt = handler.Client();

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.GetAsync(1, CancellationToken.None));

        Assert.Equal(kind, e.Kind);
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Null(e.ErrorCode);
        Assert.Equal([sentence], e.ServerMessages);
        Assert.Equal(sentence, e.UserMessage);
    }

    [Fact]
    public async Task AServerErrorWithAnHtmlBodyIsAServerErrorAfterTheRetries()
    {
        var handler = new ScriptedHandler();
        for (var i = 0; i < 4; i++) handler.Then(_ => new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html>Bad gateway</html>") });
        using var kt = handler.Client();

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.GetAsync(1, CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.ServerError, e.Kind);
        Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
        Assert.Equal("The server could not complete the request. Please try again later.", e.UserMessage);
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public async Task ASuccessfulAnswerThatIsNotJsonIsAnUnexpectedAnswer()
    {
        var handler = new ScriptedHandler().Then(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>captive portal</html>") });
        using var kt = handler.Client();

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.ListAsync(CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.UnexpectedAnswer, e.Kind);
        Assert.Contains("captive portal", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStatusTheWireDoesNotUseIsAnUnexpectedAnswerWithoutAnErrorNumber()
    {
        var handler = new ScriptedHandler().Then(HttpStatusCode.MethodNotAllowed, "[\"POST is not allowed on /subscriber/resend.\"]");
        using var kt = handler.Client();

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.ResendAsync("ann@example.com", CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.UnexpectedAnswer, e.Kind);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, e.StatusCode);
        Assert.Null(e.ErrorCode);
        Assert.Equal("Something went wrong. Please try again later.", e.UserMessage);
        Assert.Contains("POST is not allowed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableServerIsReportedAsUnreachable()
    {
        // A port nothing listens on any more: nothing to script, the connection is really refused.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var kt = new KlickTippClient(new KlickTippClientOptions
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Credentials = KlickTippCredentials.Partner("anna", "00ff", "c"),
            MaxRetries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(1),
        });

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.ListAsync(CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.Unreachable, e.Kind);
        Assert.Null(e.StatusCode);
        Assert.Equal("The server could not be reached. Please try again later.", e.UserMessage);
        Assert.IsType<HttpRequestException>(e.InnerException);
    }

    [Fact]
    public async Task RealRefusalsFromTagflowCarryTheirCode()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.CreateAsync("customer", cancellationToken: CancellationToken.None));

        Assert.Equal(601, e.ErrorCode);
        Assert.Equal("A tag with this name already exists.", e.UserMessage);
    }

    private static async Task<KlickTippException> RefusedAsync(string envelope)
    {
        var handler = new ScriptedHandler().Then(HttpStatusCode.NotAcceptable, envelope);
        using var kt = handler.Client();
        var e = await Assert.ThrowsAsync<KlickTippException>(() =>
            kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com" }, CancellationToken.None));
        Assert.Single(handler.Requests); // a refusal is final: never retried
        return e;
    }
}
