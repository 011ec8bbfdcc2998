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
    public async Task ThePaceNeverGrantsMoreThanItsRateInAnySecondWhoeverAsks()
    {
        const int Rate = 200, Turns = 450;
        var pace = new SendPace(Rate);
        var granted = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < Turns / 4 + 1; i++)
            {
                granted.Add(await pace.WaitTurnAsync(CancellationToken.None));
            }
        })));

        var times = granted.Order().ToList();
        var tightest = Enumerable.Range(0, times.Count - Rate).Min(i => Stopwatch.GetElapsedTime(times[i], times[i + Rate]));
        Assert.True(tightest >= TimeSpan.FromSeconds(1 + SendPace.Guard), $"{Rate + 1} turns within {tightest.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task ThePaceBanksNoTurnsWhileIdle()
    {
        var pace = new SendPace(10);
        await pace.WaitTurnAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1));

        // A second of idle time is ten unused slots; still, two turns after it are at least half a slot apart.
        var first = await pace.WaitTurnAsync(CancellationToken.None);
        var second = await pace.WaitTurnAsync(CancellationToken.None);
        Assert.True(Stopwatch.GetElapsedTime(first, second) >= TimeSpan.FromMilliseconds(45), $"{Stopwatch.GetElapsedTime(first, second).TotalMilliseconds:0} ms apart");
    }

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
