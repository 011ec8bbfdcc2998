using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Automations.WebhookCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Delivery;

/// <summary>
/// A committed write wakes the workers that deliver what it stored: they do not wait for their next
/// look. (The other tests run with a short poll, which would hide a missing wake.)
/// </summary>
public sealed class CommitWakeTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATagsWebhookCallGoesOutLongBeforeTheNextPoll(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { AutomationPoll = TimeSpan.FromMinutes(1), WebhookAllowPrivate = true });
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        await CreateWebhookAsync(client, new { name = "CRM", tagid = tag, url = receiver.Url("/hook") });
        await AddAsync(client, new { email = "bert@example.com" });

        var watch = Stopwatch.StartNew();
        await TagAsync(client, "bert@example.com", tag);
        await receiver.ReceiveAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"The call took {watch.Elapsed.TotalSeconds:0.0} s.");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnEmailStoredByAWriteIsInTheOutboxBeforeTheWritersNextLook(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var account = await host.AddAccountAsync("anna");
        var outbox = await host.WithServicesAsync(sp => Task.FromResult(((OutboxRelay)sp.GetRequiredService<IMailRelay>()).Directory));
        var message = MailMessages.Create("Shop", "news@shop.example", "carla@example.com", "Hallo", "Text", "", DateTimeOffset.UtcNow);

        var watch = Stopwatch.StartNew();
        await host.WithServicesAsync(sp => sp.GetRequiredService<Writes>().RunAsync(account.Id, (db, _) =>
        {
            db.OutboxMails.Add(OutboxRelay.Prepare(message, accountId: 1, DateTime.UtcNow));
            return Task.FromResult(WriteOutcome<bool>.Kept(true));
        }, CancellationToken.None));
        await Outbox.FilesAsync(outbox, 1);

        // The writer looks on its own every 5 s.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"The file took {watch.Elapsed.TotalSeconds:0.0} s.");
    }
}
