using System.Net;
using System.Net.Http.Json;
using Tagflow.Delivery;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;
using static Tagflow.Tests.OptIns.DoubleOptInTests;

namespace Tagflow.Tests.OptIns;

/// <summary>
/// The confirmation email again: on request (<c>POST /subscriber/resend</c>) or on add or update of a
/// pending contact whose process says so, with a new link, at most every 10 minutes per contact.
/// </summary>
public sealed class ResendTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ResendSendsANewLinkToAPendingContactAtMostEveryTenMinutes(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var id = Text(await AddAsync(client, new { email = "bert@example.com" }), "id");
        var first = Link(await smtp.ReceiveAsync());

        using var tooSoon = await client.PostAsJsonAsync("/subscriber/resend", new { email = "bert@example.com" });
        Assert.Equal(HttpStatusCode.TooManyRequests, tooSoon.StatusCode);
        Assert.InRange(tooSoon.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.True(smtp.NothingReceived);

        host.Clock.Advance(TimeSpan.FromMinutes(11));
        await AssertTrueAsync(await client.PostAsJsonAsync("/subscriber/resend", new { email = "bert@example.com" }));
        var message = await smtp.ReceiveAsync();
        Assert.Equal("bert@example.com", message.To.Mailboxes.Single().Address);
        var second = Link(message);
        Assert.NotEqual(first, second);

        using var browser = host.NewClient();
        using var opened = await browser.GetAsync(second);
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal("Subscribed", Text(await GetAsync(client, id), "status"));

        // Confirmed: nothing to send any more.
        host.Clock.Advance(TimeSpan.FromMinutes(11));
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/resend", new { email = "bert@example.com" }), 6);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/resend", new { email = "nobody@example.com" }), 7);
        using var missing = await client.PostAsJsonAsync("/subscriber/resend", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.True(smtp.NothingReceived);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddOrUpdateSendsItAgainOnlyThroughAProcessThatSaysSo(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var resending = await ProcessManagementTests.CreateAsync(client, new
        {
            name = "Webinar", resendconfirmationemail = true, text = "Hallo {{fieldFirstName}}: {{confirm_url}}",
        });

        await AddAsync(client, new { email = "bert@example.com", listid = resending });
        await smtp.ReceiveAsync();
        await AddAsync(client, new { email = "carl@example.com" }); // the predefined process does not send it again
        await smtp.ReceiveAsync();

        host.Clock.Advance(TimeSpan.FromMinutes(5));
        await AddAsync(client, new { email = "bert@example.com" });
        await Task.Delay(100);
        Assert.True(smtp.NothingReceived); // within 10 minutes

        host.Clock.Advance(TimeSpan.FromMinutes(6));
        await AddAsync(client, new { email = "carl@example.com" });
        await AddAsync(client, new { email = "bert@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert" } });
        var again = await smtp.ReceiveAsync();
        Assert.Equal("bert@example.com", again.To.Mailboxes.Single().Address);
        Assert.StartsWith("Hallo Bert: ", again.TextBody, StringComparison.Ordinal); // the values of the request
        await Task.Delay(100);
        Assert.True(smtp.NothingReceived);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnAddOrUpdateTheChangeWouldRefuseSendsNothing(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var resending = await ProcessManagementTests.CreateAsync(client, new { name = "Webinar", resendconfirmationemail = true });
        await AddAsync(client, new { email = "bert@example.com", listid = resending });
        await AddAsync(client, new { email = "carl@example.com", smsnumber = "+491701234567" });
        await smtp.ReceiveAsync();
        await smtp.ReceiveAsync();
        host.Clock.Advance(TimeSpan.FromMinutes(11));

        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", smsnumber = "+491701234567" }), 9);

        await Task.Delay(100);
        Assert.True(smtp.NothingReceived);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountsContactIsUnknown(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var anna = await host.NewAccountClientAsync("anna");
        using var otto = await host.NewAccountClientAsync("otto");
        await AddAsync(anna, new { email = "bert@example.com" });
        await smtp.ReceiveAsync();
        host.Clock.Advance(TimeSpan.FromMinutes(11));

        await WireAssert.RefusedAsync(await otto.PostAsJsonAsync("/subscriber/resend", new { email = "bert@example.com" }), 7);
        Assert.True(smtp.NothingReceived);
    }
}
