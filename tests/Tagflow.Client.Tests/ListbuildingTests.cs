using System.Net;
using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>
/// The listbuilding calls, against a scripted server: Tagflow does not serve /subscriber/signin, signout
/// and signoff yet. They carry their API key in the body and need no client credentials.
/// </summary>
public sealed class ListbuildingTests
{
    [Fact]
    public async Task SignInSendsTheKeyTheAddressAndFieldsAndAnswersWhereToGoNext()
    {
        var handler = new ScriptedHandler().ThenOk("""["https://example.com/pending"]""");
        using var kt = handler.Client(adjust: o => o.Credentials = null);

        var next = await kt.Listbuilding.SignInAsync(new SignInOptions
        {
            ApiKey = "form-key-1",
            Email = "ann@example.com",
            SmsNumber = "+491701234567",
            Fields = new() { { StandardFieldKeys.FirstName, "Ann" }, { StandardFieldKeys.LeadValue, 19.99m } },
        }, CancellationToken.None);

        Assert.Equal(new Uri("https://example.com/pending"), next);
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("/subscriber/signin", sent.PathAndQuery);
        Assert.Equal("""{"apikey":"form-key-1","email":"ann@example.com","smsnumber":"+491701234567","fields":{"fieldFirstName":"Ann","fieldLeadValue":"1999"}}""", sent.Body);
        Assert.False(sent.Headers.ContainsKey("X-Ci"));
        Assert.False(sent.Headers.ContainsKey("Cookie"));
    }

    [Fact]
    public async Task SignOutAndSignOffSendTheKeyAndTheAddress()
    {
        var handler = new ScriptedHandler().ThenOk().ThenOk();
        using var kt = handler.Client(adjust: o => o.Credentials = null);

        await kt.Listbuilding.SignOutAsync("form-key-1", "ann@example.com", CancellationToken.None);
        await kt.Listbuilding.SignOffAsync("form-key-1", "ann@example.com", CancellationToken.None);

        Assert.Equal(["/subscriber/signout", "/subscriber/signoff"], handler.Requests.Select(r => r.PathAndQuery));
        Assert.All(handler.Requests, r => Assert.Equal("""{"apikey":"form-key-1","email":"ann@example.com"}""", r.Body));
    }

    [Fact]
    public async Task AnUnknownKeyIsRefusedWithItsCode()
    {
        var handler = new ScriptedHandler().Then(HttpStatusCode.NotAcceptable, """{"error":402}""");
        using var kt = handler.Client(adjust: o => o.Credentials = null);

        var e = await Assert.ThrowsAsync<KlickTippException>(() =>
            kt.Listbuilding.SignInAsync(new SignInOptions { ApiKey = "nope", Email = "ann@example.com" }, CancellationToken.None));

        Assert.Equal(402, e.ErrorCode);
        Assert.Equal("Opt-in process not found.", e.UserMessage);
    }

    [Fact]
    public async Task ResendAsksForTheConfirmationEmailOfAnAddress()
    {
        var handler = new ScriptedHandler().ThenOk();
        using var kt = handler.Client();

        await kt.Contacts.ResendAsync("ann@example.com", CancellationToken.None);

        var sent = Assert.Single(handler.Requests);
        Assert.Equal("/subscriber/resend", sent.PathAndQuery);
        Assert.Equal("""{"email":"ann@example.com"}""", sent.Body);
    }
}
