using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tagflow.Accounts;
using Tagflow.Data;

namespace Tagflow.Client.Tests.Infrastructure;

/// <summary>A real Tagflow server on a fresh SQLite file, listening on a free loopback port.</summary>
public sealed class TagflowServer : IAsyncDisposable
{
    public const string Password = "correct horse battery";

    private readonly WebApplication _app;
    private readonly string _directory;

    private TagflowServer(WebApplication app, string directory, TestClock clock)
    {
        _app = app;
        _directory = directory;
        Clock = clock;
        BaseAddress = new Uri(app.Urls.First());
    }

    public Uri BaseAddress { get; }

    /// <summary>The server's clock; tests move it to expire sessions.</summary>
    public TestClock Clock { get; }

    public static Task<TagflowServer> StartAsync() => StartAsync(null);

    /// <summary>Starts a server; <paramref name="adjust"/> changes its settings (such as letting webhooks call this machine).</summary>
    internal static async Task<TagflowServer> StartAsync(Func<TagflowSettings, TagflowSettings>? adjust)
    {
        var directory = Path.Combine(Path.GetTempPath(), "tagflow-client-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var settings = new TagflowSettings
        {
            Database = DatabaseTarget.Parse(Path.Combine(directory, "tagflow.db")),
            KeyFile = Path.Combine(directory, "tagflow.key"),
            OutboxDirectory = Path.Combine(directory, "outbox"),
            Urls = "http://127.0.0.1:0",
            PasswordIterations = 1_000,
        };
        settings = adjust?.Invoke(settings) ?? settings;
        var clock = new TestClock();
        var app = Server.Build(settings, b =>
        {
            b.Logging.ClearProviders();
            b.Services.AddSingleton<TimeProvider>(clock);
        });
        await using (var scope = app.Services.CreateAsyncScope())
            await DatabasePreparation.PrepareAsync(scope.ServiceProvider, CancellationToken.None);
        await app.StartAsync();
        return new TagflowServer(app, directory, clock);
    }

    /// <summary>Creates a Premium account (password <see cref="Password"/>) and answers session credentials for it.</summary>
    public async Task<KlickTippCredentials> AddSessionAccountAsync(string username, bool premium = true)
    {
        await AddAccountAsync(username, premium);
        return KlickTippCredentials.Session(username, Password);
    }

    /// <summary>Creates an account, a developer and a grant; answers the username and both keys.</summary>
    public async Task<(string Username, string DeveloperKey, string CustomerKey)> AddPartnerAsync(string username, bool premium = true)
    {
        await AddAccountAsync(username, premium);
        var developer = "dev-" + username;
        var developerKey = await WithAdminAsync(a => a.AddDeveloperAsync(developer, CancellationToken.None));
        var customerKey = await WithAdminAsync(a => a.GrantAsync(username, developer, CancellationToken.None));
        return (username, developerKey, customerKey);
    }

    /// <summary>Creates a listbuilding key for an account's process (and tag), as <c>tagflow listbuilding add</c> does; answers the key.</summary>
    public async Task<string> AddListbuildingKeyAsync(string username, string name, long listId, long? tagId)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var account = await scope.ServiceProvider.GetRequiredService<AccountAdmin>().FindAccountAsync(username, CancellationToken.None);
        var (_, secret, refusal) = await scope.ServiceProvider.GetRequiredService<Tagflow.OptIns.ListbuildingAdmin>()
            .AddAsync(account.Id, name, listId, tagId, CancellationToken.None);
        Assert.Null(refusal);
        return secret;
    }

    /// <summary>A client for a new Premium account, authenticated with developer key and customer key.</summary>
    public async Task<KlickTippClient> NewClientAsync(string username, Action<KlickTippClientOptions>? adjust = null)
    {
        var (user, developerKey, customerKey) = await AddPartnerAsync(username);
        return Client(KlickTippCredentials.Partner(user, developerKey, customerKey), adjust);
    }

    public KlickTippClient Client(KlickTippCredentials? credentials, Action<KlickTippClientOptions>? adjust = null)
    {
        var options = new KlickTippClientOptions { BaseAddress = BaseAddress, Credentials = credentials, RetryDelay = TimeSpan.FromMilliseconds(1) };
        adjust?.Invoke(options);
        return new KlickTippClient(options);
    }

    private Task AddAccountAsync(string username, bool premium) =>
        WithAdminAsync(a => a.AddAccountAsync(username, Password, $"{username}@example.com", premium ? Plan.Premium : Plan.Standard, "Europe/Berlin", CancellationToken.None));

    private async Task<T> WithAdminAsync<T>(Func<AccountAdmin, Task<T>> action)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<AccountAdmin>());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a file still open: the temp folder is cleaned by the OS
        }
    }
}

/// <summary>A clock a test moves by hand (the server reads it from its own threads meanwhile).</summary>
public sealed class TestClock : TimeProvider
{
    private long _utcTicks = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
}
