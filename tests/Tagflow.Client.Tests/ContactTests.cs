using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>kt.Contacts against a real Tagflow server: the recommended integration flow and every call.</summary>
public sealed class ContactTests
{
    [Fact]
    public async Task TheIntegrationFlowAddsAContactWithTypedFieldsAndTagsIt()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var shoeSize = await kt.Fields.CreateAsync("Shoe size", FieldType.Number, CancellationToken.None);
        var lastOrder = await kt.Fields.CreateAsync("Last order", FieldType.DateTime, CancellationToken.None);
        var tag = await kt.Tags.GetOrCreateAsync("Customer", CancellationToken.None);
        var ordered = new DateTimeOffset(2026, 3, 1, 9, 15, 0, TimeSpan.Zero);

        var added = await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions
        {
            Email = "ann@example.com",
            Fields = new()
            {
                { StandardFieldKeys.FirstName, "Ann" },
                { StandardFieldKeys.Birthday, new DateOnly(1990, 5, 8) },
                { StandardFieldKeys.LeadValue, 19.99m },
                { StandardFieldKeys.Website, new Uri("https://ann.example.com") },
                { shoeSize, 38 },
                { lastOrder, ordered },
            },
        }, CancellationToken.None);
        await kt.Contacts.TagAsync("ann@example.com", [tag], CancellationToken.None);

        var contact = await kt.Contacts.GetAsync(added.Id, CancellationToken.None);
        Assert.Equal("ann@example.com", contact.Email);
        Assert.Equal(ContactStatus.OptInPending, contact.Status);
        Assert.Equal(BounceStatus.NotBounced, contact.Bounce);
        Assert.Equal("Ann", contact.Fields[StandardFieldKeys.FirstName]);
        Assert.Equal(new DateOnly(1990, 5, 8), contact.Fields.GetDate(StandardFieldKeys.Birthday));
        Assert.Equal(19.99m, contact.Fields.GetDecimal(StandardFieldKeys.LeadValue));
        Assert.Equal(new Uri("https://ann.example.com"), contact.Fields.GetUrl(StandardFieldKeys.Website));
        Assert.Equal(38, contact.Fields.GetNumber(shoeSize));
        Assert.Equal(ordered, contact.Fields.GetDateTime(lastOrder));
        Assert.Equal([tag], contact.TagIds);
        Assert.True(contact.ManualTags.ContainsKey(tag));
        Assert.NotNull(contact.SubscribedAt);
        Assert.Empty(contact.EmailsSent);
    }

    [Fact]
    public async Task TimestampsAreReadInTheAccountsTimeZone()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna", o => o.TimeZone = null);

        var contact = await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com" }, CancellationToken.None);

        // The test server's clock stands at 27.11.2026 12:00 UTC; the account is in Europe/Berlin.
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 13, 0, 0, TimeSpan.FromHours(1)), contact.SubscribedAt);
        Assert.Equal(server.Clock.GetUtcNow(), contact.SubscribedAt);
    }

    [Fact]
    public async Task AddOrUpdateUpdatesTheContactWithTheSameAddress()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var first = await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com", Fields = new() { { StandardFieldKeys.FirstName, "Ann" } } }, CancellationToken.None);
        var second = await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com", Fields = new() { { StandardFieldKeys.LastName, "Lee" } } }, CancellationToken.None);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal("Ann", second.Fields[StandardFieldKeys.FirstName]);
        Assert.Equal("Lee", second.Fields[StandardFieldKeys.LastName]);
    }

    [Fact]
    public async Task AContactIsFoundUpdatedAndDeleted()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var id = (await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com" }, CancellationToken.None)).Id;

        Assert.Equal(id, await kt.Contacts.SearchAsync("ann@example.com", CancellationToken.None));

        await kt.Contacts.UpdateAsync(id, new ContactUpdateOptions
        {
            NewEmail = "ann.lee@example.com",
            NewSmsNumber = "+491701234567",
            Fields = new() { { StandardFieldKeys.City, "Berlin" } },
        }, CancellationToken.None);
        var updated = await kt.Contacts.GetAsync(id, CancellationToken.None);
        Assert.Equal("ann.lee@example.com", updated.Email);
        Assert.Equal("00491701234567", updated.SmsNumber);
        Assert.Equal("Berlin", updated.Fields[StandardFieldKeys.City]);

        await kt.Contacts.DeleteAsync(id, CancellationToken.None);
        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.GetAsync(id, CancellationToken.None));
        Assert.Equal(KlickTippErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task SearchingAnUnknownAddressFails()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.SearchAsync("nobody@example.com", CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task CallsForAnUnknownContactAreRefusedWithTheirCodes()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var tag = await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);

        var tagging = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.TagAsync("nobody@example.com", [tag], CancellationToken.None));
        var untagging = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.UntagAsync("nobody@example.com", tag, CancellationToken.None));
        var unsubscribing = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.UnsubscribeAsync("nobody@example.com", CancellationToken.None));
        var updating = await Assert.ThrowsAsync<KlickTippException>(() =>
            kt.Contacts.UpdateAsync(999_999, new ContactUpdateOptions { NewEmail = "x@example.com" }, CancellationToken.None));
        var deleting = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.DeleteAsync(999_999, CancellationToken.None));

        Assert.Equal([7, 7, 7, 401, 401], new[] { tagging, untagging, unsubscribing, updating, deleting }.Select(e => e.ErrorCode ?? 0));
        Assert.Equal("Email address not found.", tagging.UserMessage);
        Assert.Equal("Contact not found.", deleting.UserMessage);
    }

    [Fact]
    public async Task UntagRemovesATag()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var customer = await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);
        var lead = await kt.Tags.CreateAsync("Lead", cancellationToken: CancellationToken.None);
        var id = (await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com", TagId = lead }, CancellationToken.None)).Id;
        await kt.Contacts.TagAsync("ann@example.com", [customer, lead], CancellationToken.None);

        await kt.Contacts.UntagAsync("ann@example.com", lead, CancellationToken.None);

        Assert.Equal([customer], (await kt.Contacts.GetAsync(id, CancellationToken.None)).TagIds);
    }

    [Fact]
    public async Task AnUnsubscribedAddressCannotBeAddedAgain()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var id = (await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com" }, CancellationToken.None)).Id;

        await kt.Contacts.UnsubscribeAsync("ann@example.com", CancellationToken.None);
        var contact = await kt.Contacts.GetAsync(id, CancellationToken.None);
        var e = await Assert.ThrowsAsync<KlickTippException>(() =>
            kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com" }, CancellationToken.None));

        Assert.Equal(ContactStatus.Unsubscribed, contact.Status);
        Assert.NotNull(contact.UnsubscribedAt);
        Assert.Equal(4, e.ErrorCode);
        Assert.Equal("This email address has been unsubscribed - no re-entry possible.", e.UserMessage);
    }

    [Fact]
    public async Task RefusalsNameWhatWasWrong()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com" }, CancellationToken.None);

        var invalidEmail = await Assert.ThrowsAsync<KlickTippException>(() =>
            kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "not-an-address" }, CancellationToken.None));
        var nothing = await Assert.ThrowsAsync<KlickTippException>(() =>
            kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions(), CancellationToken.None));
        var badDate = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions
        {
            Email = "ann@example.com",
            Fields = new() { { StandardFieldKeys.Birthday, "08.05.2024" } },
        }, CancellationToken.None));
        var noTag = await Assert.ThrowsAsync<KlickTippException>(() => kt.Contacts.TagAsync("ann@example.com", [999_999], CancellationToken.None));

        Assert.Equal(5, invalidEmail.ErrorCode);
        Assert.Equal(32, nothing.ErrorCode);
        Assert.Equal(8, badDate.ErrorCode);
        Assert.Equal(StandardFieldKeys.Birthday, badDate.FieldKey);
        Assert.StartsWith("Invalid value in the data field", badDate.UserMessage, StringComparison.Ordinal);
        Assert.Equal(403, noTag.ErrorCode);
        Assert.Equal("Tag not found.", noTag.UserMessage);
    }

    [Fact]
    public async Task ABlockedAddressIsRefusedWith30()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        await kt.Blocklist.AddAsync("spam.example", CancellationToken.None);

        var e = await Assert.ThrowsAsync<KlickTippException>(() =>
            kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "bot@spam.example" }, CancellationToken.None));

        Assert.Equal(30, e.ErrorCode);
    }

    [Fact]
    public async Task AnotherContactsAddressCannotBeTakenOver()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com" }, CancellationToken.None);
        var bob = (await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "bob@example.com" }, CancellationToken.None)).Id;

        var e = await Assert.ThrowsAsync<KlickTippException>(() =>
            kt.Contacts.UpdateAsync(bob, new ContactUpdateOptions { NewEmail = "ann@example.com" }, CancellationToken.None));

        Assert.Equal(507, e.ErrorCode);
    }
}
