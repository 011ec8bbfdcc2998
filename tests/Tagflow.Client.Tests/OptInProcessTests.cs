using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>kt.OptInProcesses: list and read against Tagflow; the redirect against a scripted server (Tagflow has no /list/redirect yet).</summary>
public sealed class OptInProcessTests
{
    [Fact]
    public async Task EveryAccountHasThePredefinedProcessWithAnEmptyName()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var (id, name) = Assert.Single(await kt.OptInProcesses.ListAsync(CancellationToken.None));
        var process = await kt.OptInProcesses.GetAsync(id, CancellationToken.None);

        Assert.Equal("", name);
        Assert.Equal(id, process.Id);
        Assert.Equal("", process.Name);
        Assert.False(process.UsesSingleOptIn);
    }

    [Fact]
    public async Task AnUnknownProcessIsNotFound()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.OptInProcesses.GetAsync(999_999, CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task FlagsAreReadWhetherSentAsBooleansOrAsDigits()
    {
        var handler = new ScriptedHandler().ThenOk("""
            {"listid":"45","name":"Webinar","pendingurl":"https://example.com/pending","thankyouurl":"","usesingleoptin":"1","resendconfirmationemail":true,"usechangeemail":"0"}
            """);
        using var kt = handler.Client();

        var process = await kt.OptInProcesses.GetAsync(45, CancellationToken.None);

        Assert.Equal(new OptInProcess(45, "Webinar", "https://example.com/pending", "", true, true, false), process);
    }

    [Fact]
    public async Task TheRedirectUrlIsAskedForWithTheProcessAndTheAddress()
    {
        var handler = new ScriptedHandler().ThenOk("""["https://example.com/thank-you"]""");
        using var kt = handler.Client();

        var url = await kt.OptInProcesses.RedirectAsync(45, "ann@example.com", CancellationToken.None);

        Assert.Equal(new Uri("https://example.com/thank-you"), url);
        var sent = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("/list/redirect", sent.PathAndQuery);
        Assert.Equal("""{"listid":45,"email":"ann@example.com"}""", sent.Body);
    }
}
