using System.Diagnostics;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Delivery;

/// <summary>The sending limits: a rate the queue never goes above, and connections at once; every email still delivered once.</summary>
public sealed class SendingLimitTests
{
    [Theory]
    [InlineData("10/s", 10.0)]
    [InlineData("600/min", 10.0)]
    [InlineData("3600/h", 1.0)]
    [InlineData(" 2.5 ", 2.5)]
    [InlineData("0/s", null)]
    [InlineData("-3", null)]
    [InlineData("ten/s", null)]
    [InlineData("10/d", null)]
    [InlineData("NaN", null)]
    public void ARateIsAnAmountPerSecondMinuteOrHour(string text, double? perSecond) => Assert.Equal(perSecond, SmtpLimits.ParseRate(text));

    [Fact]
    public async Task TheQueueSendsNoFasterThanItsRateAndOverNoMoreConnectionsThanAllowed()
    {
        const int Rate = 20, Emails = 45;
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite, s => Fast(s) with
        {
            Smtp = SmtpTarget.Parse(smtp.Url()),
            SmtpLimits = new SmtpLimits(Rate, Connections: 3),
        });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var tag = await CreateTagAsync(client, "News");
        await CreateCampaignAsync(client, new
        {
            name = "News",
            tagid = tag,
            steps = new object[] { new { type = "email", subject = "News", text = "Hello {{email}}." } },
        });
        for (var i = 0; i < Emails; i++) await SubscribeAsync(client, $"reader{i}@example.com", list, tag);

        var received = new List<string>();
        for (var i = 0; i < Emails; i++) received.Add((await smtp.ReceiveAsync()).To.Mailboxes.Single().Address);
        Assert.Equal(Enumerable.Range(0, Emails).Select(i => $"reader{i}@example.com").Order(), received.Order()); // each once

        // Paced a slot every 1/rate seconds: any rate+1 emails in a row span at least a second, whichever connection sent them.
        var arrivals = smtp.Arrivals;
        var tightest = Enumerable.Range(0, arrivals.Count - Rate).Min(i => Stopwatch.GetElapsedTime(arrivals[i], arrivals[i + Rate]));
        Assert.True(tightest >= TimeSpan.FromSeconds(0.95), $"{Rate + 1} emails arrived within {tightest.TotalMilliseconds:0} ms");
        Assert.InRange(smtp.MostSessionsAtOnce, 2, 3);
        await Task.Delay(300);
        Assert.True(smtp.NothingReceived);
    }
}
