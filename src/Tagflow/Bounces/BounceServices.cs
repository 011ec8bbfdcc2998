namespace Tagflow.Bounces;

internal static class BounceServices
{
    /// <summary>In a serving instance: the SMTP listener for the bounce domain and the mailbox reader, each when set.</summary>
    public static IServiceCollection AddBounceReceivers(this IServiceCollection services, BounceSettings settings)
    {
        if (settings.SmtpListen is null && settings.Imap is null) return services;
        services.AddSingleton<BounceInbox>();
        if (settings.SmtpListen is not null)
            services.AddBackgroundLoop(sp => new BounceSmtpListener(settings, sp.GetRequiredService<BounceInbox>(), sp.GetRequiredService<ILogger<BounceSmtpListener>>()));
        if (settings.Imap is not null)
            services.AddBackgroundLoop(sp => new BounceImapPoller(settings, sp.GetRequiredService<BounceInbox>(), sp.GetRequiredService<ILogger<BounceImapPoller>>()));
        return services;
    }
}
