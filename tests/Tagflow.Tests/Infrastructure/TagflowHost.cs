using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tagflow.Accounts;
using Tagflow.Data;

namespace Tagflow.Tests.Infrastructure;

/// <summary>
/// A real Tagflow server on a real database, listening on a free loopback port, as a user runs it.
/// </summary>
public sealed class TagflowHost : IAsyncDisposable
{
    public const string Password = "correct horse battery";

    private readonly WebApplication _app;
    private readonly TestDatabase? _ownedDatabase;

    private TagflowHost(WebApplication app, TestDatabase database, TestDatabase? ownedDatabase, TestClock clock, LogSink logs)
    {
        _app = app;
        Database = database;
        _ownedDatabase = ownedDatabase;
        Clock = clock;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.First());
        Client = NewClient();
    }

    public Uri BaseAddress { get; }
    public TestDatabase Database { get; }
    public TestClock Clock { get; }
    public LogSink Logs { get; }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Client { get; }

    /// <summary>Starts a server on a new database of the provider.</summary>
    public static async Task<TagflowHost> StartAsync(string provider, long maxBodyBytes = 1024 * 1024) =>
        await StartAsync(await TestDatabase.CreateAsync(provider), owned: true, new TestClock(), s => s with { MaxBodyBytes = maxBodyBytes });

    /// <summary>Starts a server on a new database of the provider, with settings of the test's own.</summary>
    internal static async Task<TagflowHost> StartAsync(string provider, Func<TagflowSettings, TagflowSettings> adjust) =>
        await StartAsync(await TestDatabase.CreateAsync(provider), owned: true, new TestClock(), adjust);

    /// <summary>Starts a server on a new database of the provider, with settings and services of the test's own (a service replaces Tagflow's).</summary>
    internal static async Task<TagflowHost> StartAsync(string provider, Func<TagflowSettings, TagflowSettings> adjust, Action<IServiceCollection> services) =>
        await StartAsync(await TestDatabase.CreateAsync(provider), owned: true, new TestClock(), adjust, services);

    /// <summary>Starts another server on an existing database (a restart, or a second instance).</summary>
    public static Task<TagflowHost> StartOnAsync(TestDatabase database, TestClock? clock = null) =>
        StartAsync(database, owned: false, clock ?? new TestClock(), s => s);

    /// <summary>Starts a server on an existing database, with settings (and services) of the test's own; the test owns the database.</summary>
    internal static Task<TagflowHost> StartOnAsync(TestDatabase database, TestClock clock, Func<TagflowSettings, TagflowSettings> adjust,
        Action<IServiceCollection>? services = null) =>
        StartAsync(database, owned: false, clock, adjust, services);

    private static async Task<TagflowHost> StartAsync(TestDatabase database, bool owned, TestClock clock, Func<TagflowSettings, TagflowSettings> adjust,
        Action<IServiceCollection>? services = null)
    {
        var settings = adjust(Settings(database) with { Urls = "http://127.0.0.1:0" });
        var logs = new LogSink();
        var app = Server.Build(settings, b =>
        {
            b.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
            b.Services.AddSingleton<TimeProvider>(clock);
            services?.Invoke(b.Services);
        });
        await using (var scope = app.Services.CreateAsyncScope())
            await DatabasePreparation.PrepareAsync(scope.ServiceProvider, CancellationToken.None);
        await app.StartAsync();
        return new TagflowHost(app, database, owned ? database : null, clock, logs);
    }

    /// <summary>The settings a test server runs with; password hashing is cheap so tests stay fast.</summary>
    internal static TagflowSettings Settings(TestDatabase database) => new()
    {
        Database = database.Target,
        KeyFile = Path.Combine(database.Directory, "tagflow.key"),
        // Each test's emails in its own folder (on PostgreSQL the default is the working directory).
        OutboxDirectory = Path.Combine(database.Directory, "outbox"),
        ImportDirectory = Path.Combine(database.Directory, "imports"),
        PasswordIterations = 1_000,
    };

    public HttpClient NewClient(HttpMessageHandler? handler = null) =>
        new(handler ?? new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = BaseAddress };

    /// <summary>Runs <paramref name="action"/> with the server's services in a scope of its own.</summary>
    internal async Task<T> WithServicesAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>Creates an account with <see cref="Password"/>.</summary>
    internal Task<Account> AddAccountAsync(string username, Plan plan = Plan.Premium) =>
        WithServicesAsync(sp => sp.GetRequiredService<AccountAdmin>()
            .AddAccountAsync(username, Password, $"{username}@example.com", plan, "Europe/Berlin", CancellationToken.None));

    /// <summary>Creates an account, a developer and a grant; answers a client that sends X-Un and X-Ci.</summary>
    internal async Task<PartnerCredentials> AddPartnerAsync(string username, Plan plan = Plan.Premium)
    {
        await AddAccountAsync(username, plan);
        var developer = "dev-" + username;
        var developerKey = await WithServicesAsync(sp => sp.GetRequiredService<AccountAdmin>().AddDeveloperAsync(developer, CancellationToken.None));
        var customerKey = await WithServicesAsync(sp => sp.GetRequiredService<AccountAdmin>().GrantAsync(username, developer, CancellationToken.None));
        return new PartnerCredentials(username, developer, developerKey, customerKey);
    }

    /// <summary>A client that authenticates with developer key + customer key (through <paramref name="handler"/> if given).</summary>
    public HttpClient PartnerClient(string username, string developerKey, string customerKey, HttpMessageHandler? handler = null)
    {
        var client = NewClient(handler);
        client.DefaultRequestHeaders.Add("X-Un", username);
        client.DefaultRequestHeaders.Add("X-Ci", XCi(developerKey, customerKey));
        return client;
    }

    /// <summary>A Premium account and a client for it (developer + customer key).</summary>
    public async Task<HttpClient> NewAccountClientAsync(string username) =>
        (await AddPartnerAsync(username)).ClientFor(this);

    /// <summary>Logs in and answers the session id.</summary>
    public async Task<string> LoginAsync(string username, string password = Password)
    {
        using var response = await Client.PostAsJsonAsync("/account/login", new { username, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("sessid").GetString()!;
    }

    /// <summary>A client that sends the session cookie.</summary>
    public HttpClient SessionClient(string sessionId)
    {
        var client = NewClient();
        client.DefaultRequestHeaders.Add("Cookie", $"{Sessions.CookieName}={sessionId}");
        return client;
    }

    /// <summary>
    /// X-Ci as WIRE.md defines it, computed here from first principles rather than with Tagflow's code:
    /// base64(HMAC-SHA256(key = bytes of the hex developer key, message = customer key) ‖ customer key).
    /// </summary>
    public static string XCi(string developerKey, string customerKey)
    {
        var customer = Encoding.UTF8.GetBytes(customerKey);
        using var hmac = new HMACSHA256(Convert.FromHexString(developerKey));
        return Convert.ToBase64String([.. hmac.ComputeHash(customer), .. customer]);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownedDatabase is not null) await _ownedDatabase.DisposeAsync();
    }
}

internal sealed record PartnerCredentials(string Username, string Developer, string DeveloperKey, string CustomerKey)
{
    public HttpClient ClientFor(TagflowHost host, HttpMessageHandler? handler = null) => host.PartnerClient(Username, DeveloperKey, CustomerKey, handler);
}
