namespace Tagflow.Client;

/// <summary>Settings of a <see cref="KlickTippClient"/>: where the server is, how to authenticate, how to retry.</summary>
public sealed class KlickTippClientOptions
{
    /// <summary>KlickTipp's own API address, the default <see cref="BaseAddress"/>.</summary>
    public static readonly Uri KlickTippBaseAddress = new("https://api.klicktipp.com/");

    /// <summary>
    /// The server's address, such as <c>https://api.klicktipp.com</c> or a Tagflow server's
    /// <c>http://127.0.0.1:5080</c>. A path is kept: <c>https://example.com/api</c> calls
    /// <c>https://example.com/api/subscriber</c>.
    /// </summary>
    public Uri BaseAddress { get; set; } = KlickTippBaseAddress;

    /// <summary>
    /// How management calls authenticate: <see cref="KlickTippCredentials.Session"/> or
    /// <see cref="KlickTippCredentials.Partner"/>. May stay <see langword="null"/> for a client that only
    /// uses the listbuilding calls (<see cref="KlickTippClient.Listbuilding"/>), which carry their own API key.
    /// </summary>
    public KlickTippCredentials? Credentials { get; set; }

    /// <summary>
    /// How many ids <see cref="ContactService.ListAsync"/> and <see cref="ContactService.TaggedAsync"/> ask
    /// for at a time (default 1000). Servers that page (Tagflow) answer that many per request; a server that
    /// ignores <c>limit</c> and <c>after</c> (KlickTipp) answers everything at once, which the client
    /// notices and streams without asking again. 0 turns paging off: one call, no <c>limit</c> sent.
    /// </summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>
    /// The account's time zone, in which the server writes contact timestamps (<c>DD.MM.YYYY HH:MM:SS</c>).
    /// When <see langword="null"/> (the default) the client reads it from the account once (Tagflow sends
    /// <c>timezone</c>) and uses Europe/Berlin when the server does not say (KlickTipp).
    /// </summary>
    public TimeZoneInfo? TimeZone { get; set; }

    /// <summary>
    /// Retries after a failed attempt (default 3; 0 turns retrying off). See <see cref="KlickTippClient"/>
    /// for which failures are retried.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The wait before the first retry (default 0.5 s); it doubles with every retry, with random jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between two attempts that backoff computes (default 30 s).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest <c>Retry-After</c> of a 429 answer that the client waits out (default 60 s). When the
    /// server asks for a longer wait, the call fails at once with <see cref="KlickTippException.RetryAfter"/> set.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one attempt may wait for the server's answer to begin (default 30 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of retry delays and attempt timeouts; tests replace it to control time.</summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal KlickTippClientOptions Validated()
    {
        ArgumentNullException.ThrowIfNull(BaseAddress);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (!BaseAddress.IsAbsoluteUri || BaseAddress.Scheme is not ("http" or "https"))
            throw new ArgumentException($"BaseAddress must be an absolute http or https address; got '{BaseAddress}'.", nameof(BaseAddress));
        ArgumentOutOfRangeException.ThrowIfNegative(PageSize);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryAfter, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AttemptTimeout, TimeSpan.Zero);
        var baseAddress = BaseAddress.AbsoluteUri.EndsWith('/') ? BaseAddress : new Uri(BaseAddress.AbsoluteUri + "/");
        return new KlickTippClientOptions
        {
            BaseAddress = baseAddress,
            Credentials = Credentials,
            PageSize = PageSize,
            TimeZone = TimeZone,
            MaxRetries = MaxRetries,
            RetryDelay = RetryDelay,
            MaxRetryDelay = MaxRetryDelay,
            MaxRetryAfter = MaxRetryAfter,
            AttemptTimeout = AttemptTimeout,
            TimeProvider = TimeProvider,
        };
    }
}
