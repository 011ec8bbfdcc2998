using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.App;
using Tagflow.Automations;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// Campaign emails that are not sent to a contact: for a template that cannot be filled for it (a
/// loop that runs past Fluid's limits for its values) or a bounced address. Each is skipped for that
/// contact alone, its run goes on, the feed says why, and the campaign's figures count it per step.
/// </summary>
public sealed class CampaignSkipTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnEmailWhoseTemplateCannotBeFilledForAContactIsSkippedForItAloneAndCountedWithTheBouncedOnesPerStep(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var (lead, other) = (await CreateTagAsync(client, "Lead"), await CreateTagAsync(client, "Other"));
        var repeat = await CreateFieldAsync(client, "Repeat", "number");
        // As many rounds of a thousand steps as the contact's Repeat: past Fluid's 100,000 for 1000, none without a value.
        var loop = $"{{% for i in (1..{repeat}) %}}{{% for j in (1..1000) %}}{{% assign x = j %}}{{% endfor %}}{{% endfor %}}Hello";
        var welcome = CampaignId(await CreateCampaignAsync(client, new
        {
            name = "Welcome", tagid = lead,
            steps = new object[] { new { type = "email", subject = "One", text = loop }, new { type = "email", subject = "Two", text = "Bye" } },
        }));
        var otherCampaign = CampaignId(await CreateCampaignAsync(client, new { name = "Other", tagid = other, steps = new object[] { new { type = "email", subject = "Three", text = "3" } } }));
        // Dora's address bounced for good before she got the tag.
        var dora = await SubscribeAsync(client, "dora@example.com", list);
        await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().Contacts.Where(c => c.Id == long.Parse(dora, CultureInfo.InvariantCulture))
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Bounce, Tagflow.Contacts.BounceStatus.Hard)));

        var bert = await SubscribeAsync(client, "bert@example.com", list, lead, new() { [repeat] = "1000" });
        await SubscribeAsync(client, "carl@example.com", list, lead);
        await TagAsync(client, "dora@example.com", lead);
        await TagAsync(client, "carl@example.com", other);
        var received = new List<MimeKit.MimeMessage>();
        for (var i = 0; i < 4; i++) received.Add(await smtp.ReceiveAsync());

        Assert.Equal([("bert@example.com", "Two"), ("carl@example.com", "One"), ("carl@example.com", "Three"), ("carl@example.com", "Two")],
            received.Select(m => (m.To.Mailboxes.Single().Address, m.Subject)).Order());
        Assert.StartsWith("Hello", received.Single(m => m.Subject == "One").TextBody, StringComparison.Ordinal); // the loop, filled for Carl
        await EventuallyAsync(async () => (await EventsAsync(client)).Count(e => e.Type == "email.skipped") == 3, "the three skips are in the feed");
        var skipped = (await EventsAsync(client)).Where(e => e.Type == "email.skipped").Select(e => (e.ContactId, e.Fields)).Order().ToList();
        Assert.Equal(new[] { (bert, $"campaign:{welcome},step:0,template"), (dora, $"bounce:hard,campaign:{welcome},step:0"), (dora, $"bounce:hard,campaign:{welcome},step:1") }
            .Order(), skipped);

        var (one, all) = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            var accountId = await db.Accounts.Where(a => a.Username == "anna").Select(a => a.Id).SingleAsync();
            var admin = sp.GetRequiredService<CampaignAdmin>();
            return (await CampaignFigures.LoadAsync(db, admin, accountId, long.Parse(welcome, CultureInfo.InvariantCulture), CancellationToken.None),
                await CampaignFigures.LoadAsync(db, admin, accountId, null, CancellationToken.None));
        });
        var figures = Assert.Single(one).Value;
        Assert.Equal(3, figures.Runs.Finished); // nobody's run stopped at the skipped step
        Assert.Equal(new EmailFigures(Sent: 1, Opened: 0, Clicked: 0, Skipped: 2, SkippedForTemplate: 1), figures.Emails[0]);
        Assert.Equal(new EmailFigures(Sent: 2, Opened: 0, Clicked: 0, Skipped: 1, SkippedForTemplate: 0), figures.Emails[1]);
        Assert.Equal([long.Parse(welcome, CultureInfo.InvariantCulture), long.Parse(otherCampaign, CultureInfo.InvariantCulture)], all.Keys.Order());
        Assert.Equal(figures, all[long.Parse(welcome, CultureInfo.InvariantCulture)], new FiguresComparer());
        Assert.Equal(new EmailFigures(1, 0, 0), all[long.Parse(otherCampaign, CultureInfo.InvariantCulture)].Emails[0]);
    }

    private static string CampaignId(System.Text.Json.JsonElement campaign) => campaign.GetProperty("id").ToString();

    /// <summary>Figures are equal when their numbers are: the dictionaries of steps compared by content.</summary>
    private sealed class FiguresComparer : IEqualityComparer<CampaignFigures>
    {
        public bool Equals(CampaignFigures? x, CampaignFigures? y) =>
            x is not null && y is not null && x.Runs == y.Runs && x.Unsubscribed == y.Unsubscribed
            && x.Emails.OrderBy(e => e.Key).SequenceEqual(y.Emails.OrderBy(e => e.Key));

        public int GetHashCode(CampaignFigures obj) => obj.Runs.GetHashCode();
    }
}
