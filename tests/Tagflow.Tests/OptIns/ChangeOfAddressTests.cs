using System.Net;
using System.Net.Http.Json;
using Tagflow.Delivery;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;
using static Tagflow.Tests.OptIns.DoubleOptInTests;

namespace Tagflow.Tests.OptIns;

/// <summary>
/// <c>usechangeemail</c>: a new address given with <c>PUT /subscriber/{id}</c> gets the confirmation
/// email, and becomes the contact's address only when its link is opened.
/// </summary>
public sealed class ChangeOfAddressTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheNewAddressCountsOnlyOnceItsLinkIsOpened(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await ProcessManagementTests.CreateAsync(client, new { name = "Newsletter", usechangeemail = true, text = "Hallo {{fieldFirstName}}: {{confirm_url}}" });
        var id = Text(await AddAsync(client, new { email = "bert@example.com", listid = list }), "id");
        using (var first = await host.NewClient().GetAsync(Link(await smtp.ReceiveAsync()))) Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);

        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}",
            new { newemail = "bert.neu@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert" } }));
        var message = await smtp.ReceiveAsync();
        Assert.Equal("bert.neu@example.com", message.To.Mailboxes.Single().Address);
        Assert.StartsWith("Hallo Bert: ", message.TextBody, StringComparison.Ordinal);
        var contact = await GetAsync(client, id);
        Assert.Equal("bert@example.com", Text(contact, "email")); // not yet
        Assert.Equal("Bert", Text(contact, "fieldFirstName")); // the rest of the change is made at once
        Assert.Equal(id, await SearchAsync(client, "bert@example.com"));

        host.Clock.Advance(TimeSpan.FromMinutes(3));
        using var browser = host.NewClient();
        browser.DefaultRequestHeaders.UserAgent.ParseAdd("NewMailbox/2.0");
        using (var opened = await browser.GetAsync(Link(message))) Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        contact = await GetAsync(client, id);
        Assert.Equal("bert.neu@example.com", Text(contact, "email"));
        Assert.Equal("Subscribed", Text(contact, "status"));
        Assert.Equal(id, await SearchAsync(client, "bert.neu@example.com"));
        Assert.Contains(await EventsAsync(client), e => e.Type == "contact.updated" && e.Fields.Contains("email", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RefusedAddressesGetNoEmailAndAnAddressTakenMeanwhileIsNotChanged(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await ProcessManagementTests.CreateAsync(client, new { name = "Newsletter", usechangeemail = true });
        var id = Text(await AddAsync(client, new { email = "bert@example.com", listid = list }), "id");
        await AddAsync(client, new { email = "carl@example.com", listid = list });
        await smtp.ReceiveAsync();
        await smtp.ReceiveAsync();
        await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "spam.example" }));

        await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail = "carl@example.com" }), 507);
        await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail = "bert@spam.example" }), 30);
        await Task.Delay(100);
        Assert.True(smtp.NothingReceived);

        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail = "dora@example.com" }));
        var link = Link(await smtp.ReceiveAsync());
        await AddAsync(client, new { email = "dora@example.com", listid = list }); // someone else takes it meanwhile
        await smtp.ReceiveAsync();

        using var opened = await host.NewClient().GetAsync(link);
        Assert.Equal(HttpStatusCode.Conflict, opened.StatusCode);
        Assert.Equal("bert@example.com", Text(await GetAsync(client, id), "email"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task LinksSentBeforeTheAddressChangedStopWorking(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var changing = await ProcessManagementTests.CreateAsync(client, new { name = "Newsletter", usechangeemail = true });
        var pending = Text(await AddAsync(client, new { email = "bert@example.com" }), "id");
        var toOldAddress = Link(await smtp.ReceiveAsync());
        var subscribed = Text(await AddAsync(client, new { email = "carl@example.com", listid = changing }), "id");
        using (var first = await host.NewClient().GetAsync(Link(await smtp.ReceiveAsync()))) Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);

        // A pending contact's address changes at once (no usechangeemail): the link sent to the old address no longer confirms.
        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{pending}", new { newemail = "bert.neu@example.com" }));
        using (var stale = await host.NewClient().GetAsync(toOldAddress)) Assert.Equal(HttpStatusCode.NotFound, stale.StatusCode);
        Assert.Equal("Opt-In Pending", Text(await GetAsync(client, pending), "status"));

        // Two changes of address asked for: once one is confirmed, the other's link is void.
        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{subscribed}", new { newemail = "carl.x@example.com" }));
        var toX = Link(await smtp.ReceiveAsync());
        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{subscribed}", new { newemail = "carl.y@example.com" }));
        var toY = Link(await smtp.ReceiveAsync());
        using (var confirmed = await host.NewClient().GetAsync(toY)) Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        using (var stale = await host.NewClient().GetAsync(toX)) Assert.Equal(HttpStatusCode.NotFound, stale.StatusCode);
        Assert.Equal("carl.y@example.com", Text(await GetAsync(client, subscribed), "email"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WithoutUseChangeEmailTheAddressChangesAtOnce(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var id = Text(await AddAsync(client, new { email = "bert@example.com" }), "id");
        await smtp.ReceiveAsync();

        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail = "bert.neu@example.com" }));

        Assert.Equal("bert.neu@example.com", Text(await GetAsync(client, id), "email"));
        await Task.Delay(100);
        Assert.True(smtp.NothingReceived);
    }
}
