using Microsoft.Extensions.Http.Resilience;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>
/// A client for the KlickTipp Management API, against KlickTipp itself or any server that speaks it
/// (Tagflow). Resource services hang off it: <see cref="Contacts"/>, <see cref="Tags"/>, <see cref="Fields"/>,
/// <see cref="OptInProcesses"/>, <see cref="Account"/>, <see cref="Listbuilding"/>, Tagflow's
/// <see cref="Blocklist"/> and <see cref="Events"/>, and <see cref="Choices"/> for drop-downs.
/// </summary>
/// <remarks>
/// <para>
/// One instance serves a whole application and is safe for concurrent use. Failed calls throw
/// <see cref="KlickTippException"/>.
/// </para>
/// <para>
/// Retries (exponential backoff with jitter): a 429 is retried after its <c>Retry-After</c>, and a failure to
/// connect is retried, for every call, since the server did nothing. 5xx, 408, attempt timeouts and broken
/// connections leave open whether the server acted, so they are retried only for calls that may run twice:
/// every GET, PUT and DELETE, and the POSTs whose repetition leaves the same state: add-or-update (keyed by
/// the email address: a second run updates the contact to the same values), tag, untag, unsubscribe, search,
/// tagged, redirect, login, logout, the listbuilding calls and blocklist additions. Creating a tag or a
/// field and resending the confirmation email are not retried after such failures, since a repetition could
/// create a duplicate or send a second email. 4xx answers other than 429 are never retried.
/// </para>
/// </remarks>
public sealed class KlickTippClient : IDisposable
{
    private readonly HttpClient? _ownedHttpClient;

    /// <summary>Creates a client with its own connection pool.</summary>
    /// <param name="options">Where the server is and how to authenticate.</param>
    public KlickTippClient(KlickTippClientOptions options)
        : this(options, new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), UseCookies = false, AllowAutoRedirect = false })
    {
    }

    /// <summary>
    /// Creates a client that sends through <paramref name="handler"/> (a proxy set-up, or a test double); the
    /// client adds its retries on top. Like <see cref="HttpClient"/>, it disposes the handler with itself
    /// unless <paramref name="disposeHandler"/> is false, for a handler that is shared or used afterwards.
    /// </summary>
    /// <param name="options">Where the server is and how to authenticate.</param>
    /// <param name="handler">The handler that sends each attempt.</param>
    /// <param name="disposeHandler">Whether <see cref="Dispose"/> disposes <paramref name="handler"/> too.</param>
    public KlickTippClient(KlickTippClientOptions options, HttpMessageHandler handler, bool disposeHandler = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        var validated = options.Validated();
        var retries = new ResilienceHandler(Retries.Build(validated)) { InnerHandler = disposeHandler ? handler : new BorrowedHandler(handler) };
        _ownedHttpClient = new HttpClient(retries, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        var http = _ownedHttpClient;
        Connection = new KlickTippConnection(() => http, validated);
        (Contacts, Tags, Fields, OptInProcesses, Account, Listbuilding, Blocklist, Events, Choices) = Services(Connection);
    }

    /// <summary>For <c>AddKlickTippClient</c>: each call takes a client from the factory, whose pipeline already retries.</summary>
    internal KlickTippClient(Func<HttpClient> httpClient, KlickTippClientOptions options)
    {
        Connection = new KlickTippConnection(httpClient, options.Validated());
        (Contacts, Tags, Fields, OptInProcesses, Account, Listbuilding, Blocklist, Events, Choices) = Services(Connection);
    }

    /// <summary>Contacts: add or update, read, change, tag, untag, unsubscribe, delete, list.</summary>
    public ContactService Contacts { get; }

    /// <summary>Manual tags: list, read, create, rename, delete, get-or-create.</summary>
    public TagService Tags { get; }

    /// <summary>Data fields: list and read; on Tagflow also create, rename and delete.</summary>
    public FieldService Fields { get; }

    /// <summary>Opt-in processes (lists): list, read, and the redirect URL for a contact.</summary>
    public OptInProcessService OptInProcesses { get; }

    /// <summary>The authenticated account, and logout.</summary>
    public AccountService Account { get; }

    /// <summary>The listbuilding calls (sign in, sign out, sign off), authenticated by an API key each.</summary>
    public ListbuildingService Listbuilding { get; }

    /// <summary>Tagflow: addresses and domains that may not subscribe.</summary>
    public BlocklistService Blocklist { get; }

    /// <summary>Tagflow: the feed of contact events.</summary>
    public EventService Events { get; }

    /// <summary>Label/value lists for an integration's drop-downs that never throw on a loading failure.</summary>
    public ChoiceService Choices { get; }

    internal KlickTippConnection Connection { get; }

    /// <summary>
    /// Releases the connection pool, or the handler given to the constructor when it was handed over. A client from
    /// <c>AddKlickTippClient</c> owns nothing: the container and IHttpClientFactory manage its connections.
    /// </summary>
    public void Dispose() => _ownedHttpClient?.Dispose();

    private static (ContactService, TagService, FieldService, OptInProcessService, AccountService, ListbuildingService, BlocklistService, EventService, ChoiceService) Services(KlickTippConnection connection)
    {
        var tags = new TagService(connection);
        var fields = new FieldService(connection);
        var optIns = new OptInProcessService(connection);
        return (new ContactService(connection), tags, fields, optIns, new AccountService(connection), new ListbuildingService(connection),
            new BlocklistService(connection), new EventService(connection), new ChoiceService(connection, tags, fields, optIns));
    }
}
