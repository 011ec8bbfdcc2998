using Tagflow.Data;

namespace Tagflow.Delivery;

/// <summary>
/// How delivery is wired. Each worker listens for committed writes (<see cref="ICommitListener"/>)
/// and wakes when one stored work for it; the features that store that work know nothing of it.
/// </summary>
internal static class DeliveryServices
{
    /// <summary>
    /// The mail relay, in the server and the admin commands alike: with <c>--smtp</c>, the SMTP relay
    /// and the queue that delivers the stored messages through it, signing with the DKIM keys; without, the outbox folder.
    /// </summary>
    public static IServiceCollection AddMailRelay(this IServiceCollection services, TagflowSettings settings)
    {
        if (settings.Smtp is { } smtp)
        {
            services.AddSingleton(sp => new DkimKeys(settings.DkimDirectory ?? TagflowSettings.DefaultDkim(settings.Database), sp.GetRequiredService<ILogger<DkimKeys>>()));
            services.AddBackgroundLoop(sp => new SmtpQueue(smtp, settings.SmtpTimeout, sp.GetRequiredService<IServiceScopeFactory>(),
                sp.GetRequiredService<SqliteWriteGate>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SmtpQueue>>(),
                sp.GetRequiredService<DkimKeys>(), settings.SmtpLimits, settings.Bounces.Domain));
            services.AddSingleton<ICommitListener>(sp => sp.GetRequiredService<SmtpQueue>());
            services.AddSingleton<IMailRelay>(sp => new SmtpRelay(smtp, settings.SmtpTimeout, sp.GetRequiredService<ILogger<SmtpRelay>>(),
                sp.GetRequiredService<SmtpQueue>(), sp.GetRequiredService<DkimKeys>(), settings.SmtpLimits, settings.Bounces.Domain));
        }
        else
        {
            services.AddBackgroundLoop(sp => new OutboxRelay(settings.OutboxDirectory ?? TagflowSettings.DefaultOutbox(settings.Database),
                sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<SqliteWriteGate>(), sp.GetRequiredService<ILogger<OutboxRelay>>()));
            services.AddSingleton<ICommitListener>(sp => sp.GetRequiredService<OutboxRelay>());
            services.AddSingleton<IMailRelay>(sp => sp.GetRequiredService<OutboxRelay>());
        }
        return services;
    }

    /// <summary>The webhook sender, in every serving instance (not in the admin commands).</summary>
    public static IServiceCollection AddWebhookSender(this IServiceCollection services)
    {
        services.AddBackgroundLoop<WebhookSender>();
        services.AddSingleton<ICommitListener>(sp => sp.GetRequiredService<WebhookSender>());
        return services;
    }
}
