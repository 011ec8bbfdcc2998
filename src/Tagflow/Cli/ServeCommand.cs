using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Delivery;

namespace Tagflow.Cli;

internal static class ServeCommand
{
    private static readonly Option<string> Urls = new("--urls")
    {
        Description = "Where to listen. Env: TAGFLOW_URLS.",
        DefaultValueFactory = _ => TagflowCommand.Env("TAGFLOW_URLS") ?? TagflowSettings.DefaultUrls,
    };

    private static readonly Option<string?> MetricsUrls = new("--metrics-urls")
    {
        Description = "Where to serve /metrics for Prometheus, e.g. http://127.0.0.1:9464: a port of its own, which serves nothing else "
            + "(the API's ports do not serve /metrics). Off by default; keep it private. Env: TAGFLOW_METRICS_URLS.",
    };

    private static readonly Option<int?> SessionIdleMinutes = new("--session-idle-minutes")
    {
        Description = "Minutes after which an unused login session expires (default 60). Env: TAGFLOW_SESSION_IDLE_MINUTES.",
    };

    private static readonly Option<int?> LoginRateLimit = new("--login-rate-limit")
    {
        Description = "Logins accepted per client address and minute (default 60; 0: no limit). Env: TAGFLOW_LOGIN_RATE_LIMIT.",
    };

    private static readonly Option<long?> MaxBodyBytes = new("--max-body-bytes")
    {
        Description = "Largest request body accepted, in bytes (default 1048576). Env: TAGFLOW_MAX_BODY_BYTES.",
    };

    private static readonly Option<int?> SignInRateLimit = new("--signin-rate-limit")
    {
        Description = "Listbuilding calls (signin, signout, signoff) accepted per API key and minute, and as many per client address "
            + "(default 60; 0: no limit). Env: TAGFLOW_SIGNIN_RATE_LIMIT.",
    };

    private static readonly Option<string?> PublicUrl = new("--public-url")
    {
        Description = "The address people reach this server at, for the links in emails (e.g. https://news.example.com behind a reverse proxy); "
            + "default: the address it listens on. Env: TAGFLOW_PUBLIC_URL.",
    };

    private static readonly Option<string?> Smtp = new("--smtp")
    {
        Description = "The SMTP relay for email: smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465. "
            + "Without it, emails are written as .eml files into an outbox folder beside the database. "
            + "Env: TAGFLOW_SMTP (better for a password: the command line is visible to other users).",
    };

    private static readonly Option<string?> SmtpRate = new("--smtp-rate")
    {
        Description = "The most emails a second (10/s), minute (600/min) or hour (20000/h) this instance sends through --smtp; "
            + "default: as fast as the relay takes them. Env: TAGFLOW_SMTP_RATE.",
    };

    private static readonly Option<int?> SmtpConnections = new("--smtp-connections")
    {
        Description = "How many connections to --smtp this instance sends over at once (default 1). Env: TAGFLOW_SMTP_CONNECTIONS.",
    };

    private static readonly Option<string?> BounceDomain = new("--bounce-domain")
    {
        Description = "The domain of the bounce addresses (bounce+token@DOMAIN), the envelope sender of every email through --smtp, "
            + "so that bounces and complaints come back to Tagflow; its MX must point to --bounce-smtp, or its mail reach --bounce-imap. "
            + "Default: none (emails go out with their sender as envelope sender). Env: TAGFLOW_BOUNCE_DOMAIN.",
    };

    private static readonly Option<string?> BounceSmtp = new("--bounce-smtp")
    {
        Description = "Where Tagflow's SMTP server for --bounce-domain listens, e.g. 0.0.0.0:2525 (mail to other domains is refused). "
            + "Env: TAGFLOW_BOUNCE_SMTP.",
    };

    private static readonly Option<string?> BounceSmtpCertificate = new("--bounce-smtp-certificate")
    {
        Description = "A certificate for --bounce-smtp to offer STARTTLS with: a PEM file with the certificate (and its chain) and its private key, "
            + "or a .pfx file (its password in TAGFLOW_BOUNCE_SMTP_CERTIFICATE_PASSWORD); read again when it changes. Default: no STARTTLS. "
            + "Env: TAGFLOW_BOUNCE_SMTP_CERTIFICATE.",
    };

    private static readonly Option<string?> BounceImap = new("--bounce-imap")
    {
        Description = "A mailbox that receives the mail of --bounce-domain, read for bounces every minute: imaps://user:password@host:993/INBOX "
            + "(bounces read are deleted, other mail marked seen). Env: TAGFLOW_BOUNCE_IMAP (better for a password).",
    };

    private static readonly Option<int?> BounceImapPollSeconds = new("--bounce-imap-poll-seconds")
    {
        Description = "Seconds between two reads of --bounce-imap (default 60). Env: TAGFLOW_BOUNCE_IMAP_POLL_SECONDS.",
    };

    private static readonly Option<int?> SoftBounces = new("--soft-bounces")
    {
        Description = "Soft bounces (a full mailbox, a 4xx) within --soft-bounce-days that make a contact Hard Bounce (default 3). "
            + "Env: TAGFLOW_SOFT_BOUNCES.",
    };

    private static readonly Option<int?> SoftBounceDays = new("--soft-bounce-days")
    {
        Description = "The days within which --soft-bounces soft bounces make a hard one (default 30). Env: TAGFLOW_SOFT_BOUNCE_DAYS.",
    };

    private static Bounces.BounceSettings BounceSettings(ParseResult parse)
    {
        var domain = (parse.GetValue(BounceDomain) ?? TagflowCommand.Env("TAGFLOW_BOUNCE_DOMAIN"))?.Trim().TrimEnd('.').ToLowerInvariant();
        if (domain is not null && Uri.CheckHostName(domain) != UriHostNameType.Dns)
            throw new AdminException("--bounce-domain must be a domain name, such as bounces.example.com.");
        var listenText = parse.GetValue(BounceSmtp) ?? TagflowCommand.Env("TAGFLOW_BOUNCE_SMTP");
        var listen = listenText is null ? null : Bounces.BounceSettings.ParseListen(listenText) ?? throw new AdminException(Bounces.BounceSettings.ListenHelp);
        var certificate = parse.GetValue(BounceSmtpCertificate) ?? TagflowCommand.Env("TAGFLOW_BOUNCE_SMTP_CERTIFICATE");
        if (certificate is not null)
        {
            if (listen is null) throw new AdminException("--bounce-smtp-certificate is for the listener of --bounce-smtp, which is not set.");
            certificate = Path.GetFullPath(certificate);
            Bounces.BounceCertificate.Load(certificate).Dispose(); // refused now, with what is wrong, rather than at the first STARTTLS
        }
        var imapText = parse.GetValue(BounceImap) ?? TagflowCommand.Env("TAGFLOW_BOUNCE_IMAP");
        var imap = imapText is null ? null : Bounces.ImapTarget.Parse(imapText) ?? throw new AdminException(Bounces.ImapTarget.Help);
        if ((listen is not null || imap is not null) && domain is null)
            throw new AdminException("--bounce-smtp and --bounce-imap need --bounce-domain: the domain of the bounce addresses they receive.");
        var poll = parse.GetValue(BounceImapPollSeconds) ?? TagflowCommand.EnvNumber<int>("TAGFLOW_BOUNCE_IMAP_POLL_SECONDS") ?? 60;
        var soft = parse.GetValue(SoftBounces) ?? TagflowCommand.EnvNumber<int>("TAGFLOW_SOFT_BOUNCES") ?? 3;
        var days = parse.GetValue(SoftBounceDays) ?? TagflowCommand.EnvNumber<int>("TAGFLOW_SOFT_BOUNCE_DAYS") ?? 30;
        if (poll < 1 || soft < 1 || days < 1) throw new AdminException("--bounce-imap-poll-seconds, --soft-bounces and --soft-bounce-days must be at least 1.");
        return new Bounces.BounceSettings
        {
            Domain = domain, SmtpListen = listen, SmtpCertificate = certificate, Imap = imap, ImapPoll = TimeSpan.FromSeconds(poll), SoftLimit = soft, SoftDays = days,
        };
    }

    private static readonly Option<string?> ImportDir = new("--import-dir")
    {
        Description = "Where files uploaded to POST /import wait until imported (default: an imports folder beside the SQLite file, "
            + "or in the working directory for PostgreSQL). Env: TAGFLOW_IMPORT_DIR.",
    };

    private static readonly Option<long?> MaxImportBytes = new("--max-import-bytes")
    {
        Description = "The largest file POST /import takes (default 4 GB). Env: TAGFLOW_MAX_IMPORT_BYTES.",
    };

    private static readonly Option<string[]> TrustedProxy = new("--trusted-proxy")
    {
        Description = "A reverse proxy (an address or a network such as 10.0.0.0/8) whose X-Forwarded-For and X-Forwarded-Proto are "
            + "believed, so that sign-up and opt-in addresses and the per-address limits see the client, not the proxy; repeatable. "
            + "Env: TAGFLOW_TRUSTED_PROXIES (comma-separated).",
    };

    /// <summary>The retention settings of housekeeping, in the order of <see cref="Retention"/>'s days.</summary>
    private static readonly (Option<int?> Option, string Env, int Default)[] RetentionDays =
    [
        Days("--keep-webhook-deliveries-days", "TAGFLOW_KEEP_WEBHOOK_DELIVERIES_DAYS", "ended webhook deliveries and their attempts", 30),
        Days("--keep-sent-emails-days", "TAGFLOW_KEEP_SENT_EMAILS_DAYS",
            "sent campaign emails (the contacts' emails_sent, opened and clicked, and the emails' links, unsubscribe included)", 365),
        Days("--keep-bounces-days", "TAGFLOW_KEEP_BOUNCES_DAYS",
            "the bounces and complaints recorded per email, never fewer than --soft-bounce-days (the contacts' bounce status stays)", 365),
        Days("--keep-events-days", "TAGFLOW_KEEP_EVENTS_DAYS", "events of the feed (GET /events) that the automations have read", 90),
        Days("--keep-outbox-days", "TAGFLOW_KEEP_OUTBOX_DAYS", "the .eml files in the outbox folder", 30),
    ];

    private static (Option<int?>, string, int) Days(string name, string env, string what, int days) =>
        (new Option<int?>(name) { Description = $"Days housekeeping keeps {what} (default {days}). Env: {env}." }, env, days);

    private static Housekeeping.Retention Retention(ParseResult parse)
    {
        var days = RetentionDays.Select(r => parse.GetValue(r.Option) ?? TagflowCommand.EnvNumber<int>(r.Env) ?? r.Default).ToArray();
        if (days.Any(d => d < 1)) throw new AdminException("Every --keep-…-days must be at least 1.");
        return new Housekeeping.Retention { WebhookDeliveryDays = days[0], SentEmailDays = days[1], BounceDays = days[2], EventDays = days[3], OutboxDays = days[4] };
    }

    private static TagflowSettings Settings(ParseResult parse)
    {
        var smtpText = parse.GetValue(Smtp) ?? TagflowCommand.Env("TAGFLOW_SMTP");
        var smtp = smtpText is null ? null : SmtpTarget.Parse(smtpText) ?? throw new AdminException(SmtpTarget.Help);
        var rateText = parse.GetValue(SmtpRate) ?? TagflowCommand.Env("TAGFLOW_SMTP_RATE");
        double? rate = rateText is null ? null : SmtpLimits.ParseRate(rateText) ?? throw new AdminException(SmtpLimits.RateHelp);
        var connections = parse.GetValue(SmtpConnections) ?? TagflowCommand.EnvNumber<int>("TAGFLOW_SMTP_CONNECTIONS") ?? 1;
        if (connections is < 1 or > 100) throw new AdminException("--smtp-connections must be from 1 to 100.");
        var minutes = parse.GetValue(SessionIdleMinutes) ?? TagflowCommand.EnvNumber<int>("TAGFLOW_SESSION_IDLE_MINUTES") ?? 60;
        var maxBody = parse.GetValue(MaxBodyBytes) ?? TagflowCommand.EnvNumber<long>("TAGFLOW_MAX_BODY_BYTES") ?? 1024L * 1024;
        var logins = parse.GetValue(LoginRateLimit) ?? TagflowCommand.EnvNumber<int>("TAGFLOW_LOGIN_RATE_LIMIT") ?? 60;
        var publicUrl = parse.GetValue(PublicUrl) ?? TagflowCommand.Env("TAGFLOW_PUBLIC_URL");
        if (publicUrl is not null && (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var publicUri) || publicUri.Scheme is not ("http" or "https")))
            throw new AdminException("--public-url must be an absolute http:// or https:// URL, such as https://news.example.com.");
        var signIns = parse.GetValue(SignInRateLimit) ?? TagflowCommand.EnvNumber<int>("TAGFLOW_SIGNIN_RATE_LIMIT") ?? 60;
        if (logins < 0) throw new AdminException("The login rate limit must be 0 (off) or more.");
        if (minutes < 1) throw new AdminException("The session idle time must be at least 1 minute.");
        if (maxBody < 1024) throw new AdminException("The request body limit must be at least 1024 bytes.");
        var maxImport = parse.GetValue(MaxImportBytes) ?? TagflowCommand.EnvNumber<long>("TAGFLOW_MAX_IMPORT_BYTES") ?? 4L * 1024 * 1024 * 1024;
        if (maxImport < 1024) throw new AdminException("The import file limit must be at least 1024 bytes.");
        var urls = parse.GetValue(Urls)!;
        Listening.Check(urls);
        var proxies = parse.GetValue(TrustedProxy) is { Length: > 0 } given ? given : TagflowCommand.Env("TAGFLOW_TRUSTED_PROXIES")?.Split(',') ?? [];
        return TagflowCommand.Settings(parse) with
        {
            Urls = urls,
            TrustedProxies = [.. proxies.Select(p => p.Trim()).Where(p => p.Length > 0).Select(Network)],
            Retention = Retention(parse),
            MetricsUrls = parse.GetValue(MetricsUrls) ?? TagflowCommand.Env("TAGFLOW_METRICS_URLS"),
            SessionIdleTimeout = TimeSpan.FromMinutes(minutes),
            MaxBodyBytes = maxBody,
            LoginsPerMinutePerAddress = logins,
            SignInsPerMinute = signIns,
            PublicUrl = publicUrl,
            Smtp = smtp,
            SmtpLimits = new SmtpLimits(rate, connections),
            Bounces = BounceSettings(parse),
            ImportDirectory = parse.GetValue(ImportDir) ?? TagflowCommand.Env("TAGFLOW_IMPORT_DIR"),
            MaxImportBytes = maxImport,
        };
    }

    /// <summary>An address (a network of one) or a network in CIDR notation.</summary>
    private static System.Net.IPNetwork Network(string text) =>
        System.Net.IPNetwork.TryParse(text, out var network) ? network
        : System.Net.IPAddress.TryParse(text, out var address) ? new System.Net.IPNetwork(address, address.GetAddressBytes().Length * 8)
        : throw new AdminException($"--trusted-proxy must be an address such as 10.0.0.2 or a network such as 10.0.0.0/8, not \"{text}\".");

    /// <summary>Adds <c>serve</c>, and makes the bare command serve too.</summary>
    public static void AddTo(RootCommand root)
    {
        var serve = new Command("serve", "Serve the API (the default command).");
        foreach (var command in new Command[] { root, serve })
        {
            command.Options.Add(Urls);
            command.Options.Add(MetricsUrls);
            command.Options.Add(ImportDir);
            command.Options.Add(MaxImportBytes);
            command.Options.Add(SessionIdleMinutes);
            command.Options.Add(MaxBodyBytes);
            command.Options.Add(LoginRateLimit);
            command.Options.Add(SignInRateLimit);
            command.Options.Add(PublicUrl);
            command.Options.Add(Smtp);
            command.Options.Add(SmtpRate);
            command.Options.Add(SmtpConnections);
            foreach (var option in new Option[] { BounceDomain, BounceSmtp, BounceSmtpCertificate, BounceImap, BounceImapPollSeconds, SoftBounces, SoftBounceDays }) command.Options.Add(option);
            command.Options.Add(TrustedProxy);
            foreach (var (option, _, _) in RetentionDays) command.Options.Add(option);
            command.SetAction(RunAsync);
        }
        root.Subcommands.Add(serve);
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        async Task<int> FailAsync(int exitCode, string message)
        {
            await parse.InvocationConfiguration.Error.WriteSafeLineAsync($"tagflow: {message}");
            return exitCode;
        }

        TagflowSettings settings;
        WebApplication app;
        try
        {
            settings = Settings(parse);
            app = Server.Build(settings);
        }
        catch (AdminException e)
        {
            return await FailAsync(1, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return await FailAsync(2, $"cannot start: {e.GetBaseException().Message}");
        }

        await using (app)
        {
            try
            {
                await using var scope = app.Services.CreateAsyncScope();
                await DatabasePreparation.PrepareAsync(scope.ServiceProvider, cancellationToken);
            }
            catch (AdminException e)
            {
                return await FailAsync(1, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return await FailAsync(2, $"cannot start: {e.GetBaseException().Message}");
            }

            // Listening comes before the demo account: a server that cannot listen must not create
            // keys that nobody sees, nor leave a database that is no longer empty at the next start.
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return await FailAsync(1, Listening.Failure(e, settings.Urls));
            }

            DemoAccount.Credentials? demo;
            try
            {
                await using var scope = app.Services.CreateAsyncScope();
                demo = await DemoAccount.CreateIfEmptyAsync(scope.ServiceProvider, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await app.StopAsync(CancellationToken.None);
                return await FailAsync(2, $"cannot create the demo account: {e.GetBaseException().Message}");
            }

            var output = parse.InvocationConfiguration.Output;
            var url = app.Urls.First().TrimEnd('/');
            await output.WriteSafeLineAsync($"Tagflow serves {url} on {settings.Database.Describe()}. API reference: {url}/docs");
            await output.WriteSafeLineAsync(app.Services.GetRequiredService<IMailRelay>().Description);
            if (settings.Bounces.Describe() is { } bounces) await output.WriteSafeLineAsync(bounces);
            if (demo is not null) await output.WriteSafeLineAsync(demo.Describe(url));
            await app.WaitForShutdownAsync(cancellationToken);
        }
        return 0;
    }
}

/// <summary>On an empty database, a Premium demo account with a developer grant, so the first curl works.</summary>
internal static class DemoAccount
{
    public const string Username = "demo";
    private const string Developer = "demo-integration";

    public sealed record Credentials(string Password, string DeveloperKey, string CustomerKey)
    {
        public string Describe(string url) => $"""

            Created a demo account on this empty database (plan premium). Keep these; they are not shown again.
              username       {Username}
              password       {Password}
              developer key  {DeveloperKey}
              customer key   {CustomerKey}

            Try it:
              curl -H 'X-Un: {Username}' -H 'X-Ci: {KeyRing.ComputeXCi(DeveloperKey, CustomerKey)}' {url}/account
              curl -X POST -d 'username={Username}' -d 'password={Password}' {url}/account/login

            """;
    }

    public static async Task<Credentials?> CreateIfEmptyAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<TagflowDb>();
        if (await db.Accounts.AnyAsync(cancellationToken)) return null;
        var admin = services.GetRequiredService<AccountAdmin>();
        var password = Secrets.NewToken(9);
        try
        {
            await admin.AddAccountAsync(Username, password, "demo@example.com", Plan.Premium, "Europe/Berlin", cancellationToken);
            var developerKey = await admin.AddDeveloperAsync(Developer, cancellationToken);
            var customerKey = await admin.GrantAsync(Username, Developer, cancellationToken);
            return new Credentials(password, developerKey, customerKey);
        }
        catch (AdminException)
        {
            return null; // another instance started on the same database at the same moment and made it
        }
    }
}
