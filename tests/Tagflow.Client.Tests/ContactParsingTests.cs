using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>The typed contact, read from the contact object as KlickTipp documents it.</summary>
public sealed class ContactParsingTests
{
    public const string MinimalContact = """{"id":"1","email":"ann@example.com","status":"Subscribed","bounce":"Not Bounced"}""";

    private const string KlickTippExample = """
        {"id":"1","listid":"12345","optin":"25.09.2025 14:30:00","optin_ip":"0.0.0.0","email":"t1@example.com","status":"Subscribed",
         "bounce":"Soft Bounce","date":"25.09.2025","ip":"0.0.0.0","unsubscription":"","unsubscription_ip":"0.0.0.0","referrer":"",
         "sms_phone":"004968211034234","sms_status":"Subscribed","sms_bounce":"Not Bounced","sms_date":"15.12.2025 08:00:00",
         "sms_unsubscription":"","sms_referrer":null,
         "fieldFirstName":"Alex","fieldLastName":"Example","fieldWebsite":"https://www.klicktipp.example","fieldBirthday":"755222400",
         "fieldLeadValue":"19.99","field12":"42","field13":"52200","field14":"1715603400",
         "tags":["17","18"],"smart_tags":{"17":"1758821945"},"manual_tags":{"18":"1759753677"},
         "notification_emails_sent":{"45":"1758821945"},"notification_emails_opened":[],"notification_emails_clicked":{},
         "emails_sent":{"1":"1758822606","2":"1758822769"},"emails_opened":{"1":"1758822610"},"emails_clicked":{},
         "campaigns_started":{"6":"1759753673"},"campaigns_finished":{"6":"1759753677"}}
        """;

    [Fact]
    public async Task StatusesBecomeEnumsAndTimestampsAreReadInTheAccountsTimeZone()
    {
        var contact = await ReadAsync(KlickTippExample);

        Assert.Equal(1, contact.Id);
        Assert.Equal(12345, contact.OptInProcessId);
        Assert.Equal(ContactStatus.Subscribed, contact.Status);
        Assert.Equal(BounceStatus.SoftBounce, contact.Bounce);
        // Berlin is UTC+2 in September (summer time) and UTC+1 in December.
        Assert.Equal(new DateTimeOffset(2025, 9, 25, 14, 30, 0, TimeSpan.FromHours(2)), contact.OptInAt);
        Assert.Equal(new DateTimeOffset(2025, 9, 25, 0, 0, 0, TimeSpan.FromHours(2)), contact.SubscribedAt);
        Assert.Equal(new DateTimeOffset(2025, 12, 15, 8, 0, 0, TimeSpan.FromHours(1)), contact.SmsSubscribedAt);
        Assert.Null(contact.UnsubscribedAt);
        Assert.Equal("004968211034234", contact.SmsNumber);
        Assert.Equal(ContactStatus.Subscribed, contact.SmsStatus);
        Assert.Equal("", contact.SmsReferrer);
    }

    [Fact]
    public async Task CustomFieldsAreReadRawAndThroughTypedAccessors()
    {
        var fields = (await ReadAsync(KlickTippExample)).Fields;

        Assert.Equal("Alex", fields[StandardFieldKeys.FirstName]);
        Assert.Equal("42", fields["field12"]);
        Assert.Equal(42, fields.GetNumber("field12"));
        Assert.Equal(19.99m, fields.GetDecimal(StandardFieldKeys.LeadValue));
        Assert.Equal(new DateOnly(1993, 12, 7), fields.GetDate(StandardFieldKeys.Birthday));
        Assert.Equal(new TimeOnly(14, 30), fields.GetTime("field13"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1715603400), fields.GetDateTime("field14"));
        Assert.Equal(new Uri("https://www.klicktipp.example"), fields.GetUrl(StandardFieldKeys.Website));
        Assert.Null(fields.GetNumber("field99"));
        Assert.Null(fields.GetText(StandardFieldKeys.City));
        Assert.DoesNotContain("fields", fields.Keys);
    }

    [Fact]
    public async Task TagsAndActivityMapsAreKeyedByIdWithTheirTimes()
    {
        var contact = await ReadAsync(KlickTippExample);

        Assert.Equal([17L, 18L], contact.TagIds);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1759753677), contact.ManualTags[18]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1758821945), contact.SmartTags[17]);
        Assert.Equal(2, contact.EmailsSent.Count);
        Assert.Empty(contact.NotificationEmailsOpened); // PHP writes an empty map as []
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1759753677), contact.CampaignsFinished[6]);
    }

    [Theory]
    [InlineData("Opt-In Pending", ContactStatus.OptInPending)]
    [InlineData("Subscribed", ContactStatus.Subscribed)]
    [InlineData("Unsubscribed", ContactStatus.Unsubscribed)]
    [InlineData("", ContactStatus.Unknown)]
    [InlineData("Something new", ContactStatus.Unknown)]
    public async Task EveryStatusOfTheWireIsRead(string wire, ContactStatus expected)
    {
        var contact = await ReadAsync($$"""{"id":"1","status":"{{wire}}"}""");
        Assert.Equal(expected, contact.Status);
    }

    [Theory]
    [InlineData("Not Bounced", BounceStatus.NotBounced)]
    [InlineData("Soft Bounce", BounceStatus.SoftBounce)]
    [InlineData("Hard Bounce", BounceStatus.HardBounce)]
    [InlineData("Spam Bounce", BounceStatus.SpamBounce)]
    public async Task EveryBounceStatusOfTheWireIsRead(string wire, BounceStatus expected)
    {
        var contact = await ReadAsync($$"""{"id":"1","bounce":"{{wire}}"}""");
        Assert.Equal(expected, contact.Bounce);
    }

    [Fact]
    public async Task WithoutAConfiguredTimeZoneTheAccountsOwnIsUsed()
    {
        var handler = new ScriptedHandler()
            .ThenOk("""{"uid":"1","username":"anna","timezone":"America/New_York"}""")
            .ThenOk("""{"id":"1","optin":"15.01.2026 12:00:00"}""")
            .ThenOk("""{"id":"1","optin":"15.07.2026 12:00:00"}""");
        using var kt = handler.Client(adjust: o => o.TimeZone = null);

        var winter = await kt.Contacts.GetAsync(1, CancellationToken.None);
        var summer = await kt.Contacts.GetAsync(1, CancellationToken.None);

        Assert.Equal(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.FromHours(-5)), winter.OptInAt);
        Assert.Equal(new DateTimeOffset(2026, 7, 15, 12, 0, 0, TimeSpan.FromHours(-4)), summer.OptInAt);
        Assert.Equal(["/account", "/subscriber/1", "/subscriber/1"], handler.Requests.Select(r => r.PathAndQuery)); // asked once
    }

    [Fact]
    public async Task ASessionLoginThatNamesTheTimeZoneSavesTheAccountCall()
    {
        var handler = new ScriptedHandler()
            .ThenOk("""{"sessid":"abc123","session_name":"S","account":{"uid":"1","timezone":"America/New_York"}}""")
            .ThenOk("""{"id":"1","optin":"15.01.2026 12:00:00"}""");
        using var kt = handler.Client(KlickTippCredentials.Session("anna", "pw-123456"), o => o.TimeZone = null);

        var contact = await kt.Contacts.GetAsync(1, CancellationToken.None);

        Assert.Equal(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.FromHours(-5)), contact.OptInAt);
        Assert.Equal(["/account/login", "/subscriber/1"], handler.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task ContactCallsThatStartTogetherAskForTheTimeZoneOnce()
    {
        var accountMayAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler().ThenAsync(async (_, _) =>
        {
            await accountMayAnswer.Task; // every call has started by now, and found no time zone
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("""{"uid":"1","timezone":"Europe/Berlin"}""") };
        });
        for (var i = 0; i < 5; i++) handler.ThenOk(MinimalContact);
        using var kt = handler.Client(adjust: o => o.TimeZone = null);

        var calls = Enumerable.Range(0, 5).Select(_ => kt.Contacts.GetAsync(1, CancellationToken.None)).ToList();
        accountMayAnswer.SetResult();
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Single(handler.Requests, r => r.PathAndQuery == "/account");
    }

    [Fact]
    public async Task WhenTheTimeZoneCannotBeLearnedNothingIsWritten()
    {
        var handler = new ScriptedHandler().Then(System.Net.HttpStatusCode.Forbidden, """["API access denied."]""");
        using var kt = handler.Client(adjust: o => o.TimeZone = null);

        await Assert.ThrowsAsync<KlickTippException>(() =>
            kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com" }, CancellationToken.None));

        // Had the contact been written first, the caller would see a failure for a write that happened.
        Assert.Equal(["/account"], handler.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task PhpShapedListsAndMapsAreReadLikeTheirRegularForms()
    {
        // PHP writes a list with gaps in its keys as an object, and a map with keys 0, 1, … (or none) as a list.
        var contact = await ReadAsync("""
            {"id":"1","tags":{"0":"17","2":"18"},"manual_tags":[],"smart_tags":{},"emails_sent":["1758822606"],"emails_opened":null}
            """);

        Assert.Equal([17L, 18L], contact.TagIds);
        Assert.Empty(contact.ManualTags);
        Assert.Empty(contact.SmartTags);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1758822606), contact.EmailsSent[0]);
        Assert.Empty(contact.EmailsOpened);
    }

    [Fact]
    public async Task IdsArriveAsStringsOrAsNumbers()
    {
        var contact = await ReadAsync("""{"id":7,"listid":0,"tags":[17,"18"],"manual_tags":{"18":1759753677}}""");

        Assert.Equal(7, contact.Id);
        Assert.Null(contact.OptInProcessId);
        Assert.Equal([17L, 18L], contact.TagIds);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1759753677), contact.ManualTags[18]);
    }

    [Fact]
    public async Task ReadingDoesNotDependOnTheCurrentCulture()
    {
        using var culture = new CurrentCulture("de-DE"); // decimal comma, other date order

        var contact = await ReadAsync(KlickTippExample);

        Assert.Equal(19.99m, contact.Fields.GetDecimal(StandardFieldKeys.LeadValue));
        Assert.Equal(new DateTimeOffset(2025, 9, 25, 14, 30, 0, TimeSpan.FromHours(2)), contact.OptInAt);
    }

    private static async Task<Contact> ReadAsync(string json)
    {
        var handler = new ScriptedHandler().ThenOk(json);
        using var kt = handler.Client();
        return await kt.Contacts.GetAsync(1, CancellationToken.None);
    }
}
