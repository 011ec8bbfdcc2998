using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>kt.OptInProcesses: list, read, redirect and Tagflow's management against a Tagflow server; flag parsing against a scripted one.</summary>
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
    public async Task AProcessIsCreatedReadChangedAndDeletedWithItsConfirmationEmail()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var created = await kt.OptInProcesses.CreateAsync(new OptInProcessSettings
        {
            Name = "Newsletter",
            ThankYouUrl = "https://example.com/thanks",
            ResendsConfirmationEmail = true,
            SenderName = "Anna",
            SenderAddress = "news@example.com",
            Subject = "Bitte bestätigen",
            Text = "Hallo {{fieldFirstName}}: {{confirm_url}}",
            Html = "",
        }, CancellationToken.None);
        var id = created.Id;

        Assert.Equal(new OptInProcess(id, "Newsletter", "", "https://example.com/thanks", false, true, false), created);
        Assert.Equal(created, await kt.OptInProcesses.GetAsync(id, CancellationToken.None));
        Assert.Equal(new OptInEmail("Anna", "news@example.com", "Bitte bestätigen", "Hallo {{fieldFirstName}}: {{confirm_url}}", ""),
            await kt.OptInProcesses.GetEmailAsync(id, CancellationToken.None));

        await kt.OptInProcesses.UpdateAsync(id, new OptInProcessSettings { Name = "Weekly", UsesSingleOptIn = true }, CancellationToken.None);
        var changed = await kt.OptInProcesses.GetAsync(id, CancellationToken.None);
        Assert.Equal(("Weekly", true, "https://example.com/thanks"), (changed.Name, changed.UsesSingleOptIn, changed.ThankYouUrl));

        await kt.OptInProcesses.DeleteAsync(id, CancellationToken.None);
        var gone = await Assert.ThrowsAsync<KlickTippException>(() => kt.OptInProcesses.GetAsync(id, CancellationToken.None));
        Assert.Equal(KlickTippErrorKind.NotFound, gone.Kind);
    }

    [Fact]
    public async Task ThePredefinedProcessCannotBeDeletedAndANameIsTakenOnlyOnce()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var (predefined, _) = Assert.Single(await kt.OptInProcesses.ListAsync(CancellationToken.None));
        await kt.OptInProcesses.CreateAsync(new OptInProcessSettings { Name = "Newsletter" }, CancellationToken.None);

        var undeletable = await Assert.ThrowsAsync<KlickTippException>(() => kt.OptInProcesses.DeleteAsync(predefined, CancellationToken.None));
        var taken = await Assert.ThrowsAsync<KlickTippException>(() => kt.OptInProcesses.CreateAsync(new OptInProcessSettings { Name = "newsletter" }, CancellationToken.None));

        Assert.Equal(606, undeletable.ErrorCode);
        Assert.Equal(605, taken.ErrorCode);
        Assert.Equal("An opt-in process with this name already exists.", taken.UserMessage);
    }

    [Fact]
    public async Task TheRedirectIsThePendingPageUntilTheContactIsSubscribed()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var pages = new OptInProcessSettings { PendingUrl = "https://example.com/pending", ThankYouUrl = "https://example.com/thanks" };
        var doubleOptIn = (await kt.OptInProcesses.CreateAsync(pages with { Name = "Double" }, CancellationToken.None)).Id;
        var singleOptIn = (await kt.OptInProcesses.CreateAsync(pages with { Name = "Single", UsesSingleOptIn = true, Text = "Danke!" }, CancellationToken.None)).Id;
        await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "pending@example.com", OptInProcessId = doubleOptIn }, CancellationToken.None);
        await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "subscribed@example.com", OptInProcessId = singleOptIn }, CancellationToken.None);

        Assert.Equal(new Uri("https://example.com/pending"), await kt.OptInProcesses.RedirectAsync(doubleOptIn, "pending@example.com", CancellationToken.None));
        Assert.Equal(new Uri("https://example.com/thanks"), await kt.OptInProcesses.RedirectAsync(singleOptIn, "subscribed@example.com", CancellationToken.None));
        var unknown = await Assert.ThrowsAsync<KlickTippException>(() => kt.OptInProcesses.RedirectAsync(doubleOptIn, "nobody@example.com", CancellationToken.None));
        Assert.Equal(7, unknown.ErrorCode);
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

    [Fact]
    public async Task ResendSendsTheConfirmationAgainAndSaysWhenItIsTooSoon()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "pending@example.com" }, CancellationToken.None);

        var tooSoon = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.ResendAsync("pending@example.com", CancellationToken.None));
        Assert.Equal(KlickTippErrorKind.TooManyRequests, tooSoon.Kind);
        Assert.InRange(tooSoon.RetryAfter ?? TimeSpan.Zero, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));

        server.Clock.Advance(TimeSpan.FromMinutes(11));
        await kt.Contacts.ResendAsync("pending@example.com", CancellationToken.None);
        var unknown = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.ResendAsync("nobody@example.com", CancellationToken.None));
        Assert.Equal(7, unknown.ErrorCode);
    }

    [Fact]
    public async Task CreatingAProcessOnAServerThatAnswersOnlyItsIdReadsItBack()
    {
        var handler = new ScriptedHandler()
            .ThenOk("[12]")
            .ThenOk("""{"listid":"12","name":"Newsletter","pendingurl":"","thankyouurl":"","usesingleoptin":"0","resendconfirmationemail":"1","usechangeemail":"0"}""");
        using var kt = handler.Client();

        var created = await kt.OptInProcesses.CreateAsync(new OptInProcessSettings { Name = "Newsletter" }, CancellationToken.None);

        Assert.Equal(new OptInProcess(12, "Newsletter", "", "", false, true, false), created);
        Assert.Equal(["/list", "/list/12"], handler.Requests.Select(r => r.PathAndQuery));
    }
}
