using System.Net;
using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>
/// The listbuilding calls: what they send (against a scripted server), and a round trip against a
/// real Tagflow server. They carry their API key in the body and need no client credentials.
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

    [Fact]
    public async Task SignInSignOutAndSignOffRoundTripAgainstTagflow()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var process = (await kt.OptInProcesses.CreateAsync(new OptInProcessSettings
        {
            Name = "Shop", UsesSingleOptIn = true, Text = "Danke!", ThankYouUrl = "https://example.com/thanks",
        }, CancellationToken.None)).Id;
        var tag = await kt.Tags.GetOrCreateAsync("Buyer", CancellationToken.None);
        var apiKey = await server.AddListbuildingKeyAsync("anna", "Checkout", process, tag);
        using var form = server.Client(credentials: null);

        var next = await form.Listbuilding.SignInAsync(new SignInOptions
        {
            ApiKey = apiKey, Email = "ann@example.com", Fields = new() { { StandardFieldKeys.FirstName, "Ann" } },
        }, CancellationToken.None);
        Assert.Equal(new Uri("https://example.com/thanks"), next);
        var id = await kt.Contacts.SearchAsync("ann@example.com", CancellationToken.None);
        var contact = await kt.Contacts.GetAsync(id, CancellationToken.None);
        Assert.Equal("Ann", contact.Fields[StandardFieldKeys.FirstName]);
        Assert.Contains(tag, contact.ManualTags.Keys);
        Assert.Equal(2, contact.SmartTags.Count); // "Listbuilding: Checkout" and "Opt-in confirmed: Shop"

        await form.Listbuilding.SignOutAsync(apiKey, "ann@example.com", CancellationToken.None);
        Assert.DoesNotContain(tag, (await kt.Contacts.GetAsync(id, CancellationToken.None)).ManualTags.Keys);
        await form.Listbuilding.SignOffAsync(apiKey, "ann@example.com", CancellationToken.None);
        Assert.Equal(ContactStatus.Unsubscribed, (await kt.Contacts.GetAsync(id, CancellationToken.None)).Status);

        var wrong = await Assert.ThrowsAsync<KlickTippException>(() => form.Listbuilding.SignOffAsync("0123456789abcdef0123456789abcdef", "ann@example.com", CancellationToken.None));
        Assert.Equal(100, wrong.ErrorCode);
    }
}
