using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Delivery;

namespace Tagflow;

internal static class TagflowServices
{
    /// <summary>What both the server and the admin commands need: the database, keys, clock and account rules.</summary>
    public static IServiceCollection AddTagflowCore(this IServiceCollection services, TagflowSettings settings)
    {
        services.AddSingleton(settings);
        services.AddTagflowDb(settings.Database);
        // Loaded on first use, after DatabasePreparation has created or checked the file.
        services.AddSingleton(_ => KeyRing.Load(settings.KeyFile));
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<AccountAdmin>();
        services.AddScoped<Sessions>();
        services.AddScoped<Logins>();
        services.AddMetrics();
        services.AddSingleton<Metrics.QueueReadings>();
        services.AddSingleton<Metrics.TagflowMetrics>();
        services.AddSingleton<SqliteWriteGate>();
        // Before the workers that write through it, so that the host stops it after them.
        services.AddBackgroundLoop<GroupCommit>();
        services.AddSingleton<ReferenceCache>();
        services.AddScoped<Writes>();
        services.AddSingleton<Bounces.BounceAddresses>();
        services.AddScoped<Contacts.ContactChanges>();
        services.AddScoped<Contacts.ContactImports>();
        services.AddScoped<Contacts.AccountMigration>();
        services.AddSingleton<Contacts.ImportSignal>();
        services.AddScoped<Blocklist.BlocklistAdmin>();
        services.AddScoped<OptIns.OptInProcessAdmin>();
        services.AddScoped<OptIns.ListbuildingAdmin>();
        services.AddSingleton<OptIns.SignInLimits>();
        services.AddScoped<OptIns.ListbuildingSignIn>();
        services.AddSingleton<Automations.AutomationSignal>();
        services.AddSingleton<ICommitListener>(sp => sp.GetRequiredService<Automations.AutomationSignal>());
        services.AddScoped<Automations.CampaignAdmin>();
        services.AddScoped<Webhooks.WebhookAdmin>();
        services.AddScoped<Tags.TagAdmin>();
        services.AddScoped<Fields.FieldAdmin>();
        services.AddMailRelay(settings);
        return services;
    }
}
