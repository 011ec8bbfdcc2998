using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Tagflow.Bench;

/// <summary>
/// One way to open the admin app's contacts page: its query string, and the rows it must show
/// (null: at least one). <paramref name="HasTarget"/> says whether the page's target applies to it.
/// </summary>
internal sealed record PageVariant(string Name, string Query, bool HasTarget, int? Rows = null)
{
    /// <summary>The page's path: the contacts page unless said otherwise.</summary>
    public string Path { get; init; } = "/app/contacts";

    /// <summary>What the answer must hold to be the page asked for (the contacts page: its heading and table).</summary>
    public string Marker { get; init; } = "<h1>Contacts</h1>";

    public bool IsContactList => Path == "/app/contacts";
}

/// <summary>A variant's 20 requests: the rows it showed, the times the client saw and, from the request log, the server's.</summary>
internal sealed record PageTimes(PageVariant Variant, int Rows, Latency Client, Latency? Server = null);

/// <summary>
/// The admin app's contacts page (issue 17) on an imported account, signed in as a browser is: each
/// variant requested <see cref="WarmUps"/> times unmeasured, then <see cref="Samples"/> times, one
/// after another on one connection. Every answer must be the page with its table and the rows the
/// variant expects, so an error page is never timed as a fast one.
/// </summary>
internal static partial class ContactsPageBench
{
    private const string Needs = "the admin app of issue 17";
    private const string Page = "/app/contacts";
    private const string SignIn = "/app/signin";
    private const int WarmUps = 3;
    public const int Samples = 20;
    /// <summary>The import gives contact k the tag T{k mod 10}: one contact in ten has it.</summary>
    private const string CommonTag = "T3";
    /// <summary>Contacts given a tag of their own, spread evenly over the account.</summary>
    private const int RareTagged = 10;

    public static async Task<IReadOnlyList<PageTimes>> MeasureAsync(Load load, TagflowServer server, Credentials credentials, int contacts, long oldestId,
        CancellationToken cancellationToken)
    {
        var common = await TagIdAsync(load, CommonTag, cancellationToken);
        var rare = await Benchmark.PostAsync(load, "/tag", new { name = "Bench rare" }, Needs, d => d.RootElement[0].GetInt64(), cancellationToken);
        for (var k = 0; k < RareTagged; k++)
        {
            var email = Addresses.OfImport((2L * k + 1) * contacts / (2 * RareTagged));
            await Benchmark.ExpectAsync(load, new Call(HttpMethod.Post, "/subscriber/tag", Workloads.Json(new { email, tagids = new[] { rare } })), Needs, cancellationToken);
        }
        // A fragment that only one imported address holds, as someone looking for one person types it.
        var fragment = string.Create(CultureInfo.InvariantCulture, $"i{contacts / 2 + 7}");
        PageVariant[] variants =
        [
            new("the first page, newest first", "", HasTarget: true),
            new("a deep page, 60 contacts from the oldest", string.Create(CultureInfo.InvariantCulture, $"?after={oldestId + 60}"), HasTarget: true),
            new("sorted by change, the first page", "?sort=changed", HasTarget: true),
            new($"with the tag {CommonTag}, which 10 % have", string.Create(CultureInfo.InvariantCulture, $"?tag={common}"), HasTarget: true),
            new($"with a tag {RareTagged} contacts have", string.Create(CultureInfo.InvariantCulture, $"?tag={rare}"), HasTarget: true, Rows: RareTagged),
            new($"without the tag {CommonTag}", string.Create(CultureInfo.InvariantCulture, $"?tag={common}&has=no"), HasTarget: true),
            new("the status unsubscribed, which none has", "?status=unsubscribed", HasTarget: true, Rows: 0),
            new("a search for part of one address, through addresses and names", $"?q={fragment}", HasTarget: false, Rows: 1),
            new("the same with an @, through addresses only", $"?q={fragment}@", HasTarget: false, Rows: 1),
            // The other pages that read many rows: one old contact (its history among millions of events), the tags
            // with their holders counted, the data fields with their values counted, the dashboard.
            new("one contact's page, 60 from the oldest", "", HasTarget: true)
            {
                Path = string.Create(CultureInfo.InvariantCulture, $"{Page}/{oldestId + 60}"), Marker = "id=\"history\"",
            },
            new("the tags page, each tag's contacts counted", "", HasTarget: false) { Path = "/app/tags", Marker = "<h1>Tags</h1>" },
            new("the data fields page, each custom field's values counted", "", HasTarget: false) { Path = "/app/fields", Marker = "id=\"fields\"" },
            // The dashboard: the contacts counted by status, and every contact's opt-in and unsubscription times read for the charts.
            new("the dashboard, 30 days", "", HasTarget: false) { Path = "/app/dashboard", Marker = "id=\"chart-subscribed\"" },
        ];

        Console.WriteLine($"Admin app, GET {Page} at {contacts:N0} contacts: {WarmUps} requests unmeasured, then {Samples}, per variant …");
        using var client = await SignInAsync(server, credentials, cancellationToken);
        var measured = new List<PageTimes>();
        foreach (var variant in variants)
        {
            for (var i = 0; i < WarmUps; i++) await GetAsync(client, variant, cancellationToken);
            var times = new List<double>();
            var rows = 0;
            for (var i = 0; i < Samples; i++)
            {
                var started = Stopwatch.GetTimestamp();
                rows = await GetAsync(client, variant, cancellationToken);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            var result = new PageTimes(variant, rows, Latency.Of(times));
            measured.Add(result);
            Console.WriteLine($"  {variant.Name}: {rows} rows; client p50 {result.Client.P50Ms:0.0} ms, max {result.Client.MaxMs:0.0} ms");
        }
        return measured;
    }

    /// <summary>
    /// Adds the server's times from its request log. Nothing else asks for the page, and each request
    /// waits for the answer to the one before, so the log lists them in the order they were sent:
    /// each variant's warm-up, then its samples. Without that many lines, the server's times stay unknown.
    /// </summary>
    public static IReadOnlyList<PageTimes> WithServerTimes(IReadOnlyList<PageTimes> measured, ServerLog log)
    {
        const int perVariant = WarmUps + Samples;
        var byPath = measured.GroupBy(m => m.Variant.Path).ToDictionary(g => g.Key, g => (Logged: log.InOrder("GET", g.Key), Count: g.Count()));
        if (byPath.Values.Any(p => p.Logged.Count != p.Count * perVariant)) return measured;
        var taken = byPath.Keys.ToDictionary(path => path, _ => 0);
        return [.. measured.Select(m =>
        {
            var skip = taken[m.Variant.Path]++ * perVariant + WarmUps;
            return m with { Server = Latency.Of([.. byPath[m.Variant.Path].Logged.Skip(skip).Take(Samples)]) };
        })];
    }

    public static void Print(IReadOnlyList<PageTimes> measured)
    {
        Console.WriteLine("  the same inside the server (its request log):");
        foreach (var m in measured)
            Console.WriteLine($"  {m.Variant.Name}: server p50 {m.Server?.P50Ms:0.0} ms, max {m.Server?.MaxMs:0.0} ms"
                + (m.Server is null ? " (not in the log)" : ""));
    }

    /// <summary>The id of the tag named <paramref name="name"/>, from <c>GET /tag</c>'s map of id → name.</summary>
    private static async Task<long> TagIdAsync(Load load, string name, CancellationToken cancellationToken)
    {
        var body = await Benchmark.ExpectAsync(load, new Call(HttpMethod.Get, "/tag", null), Needs, cancellationToken);
        var ids = Benchmark.Parse(body, "GET /tag", d => d.RootElement.EnumerateObject().Where(p => p.Value.GetString() == name).Select(p => p.Name).ToList());
        return ids is [var id] && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var tag)
            ? tag
            : throw new BenchException($"GET /tag should list the tag {name}, which the import creates: {Load.Shorten(body)}");
    }

    /// <summary>
    /// As a browser signs in: the form, then the form posted back with its hidden fields (the form's
    /// name and the antiforgery token, whose cookie the container keeps) and the password. The 302
    /// sets the app's cookie. Redirects are not followed, so a page that sends back to the sign-in
    /// form shows as what it is.
    /// </summary>
    private static async Task<HttpClient> SignInAsync(TagflowServer server, Credentials credentials, CancellationToken cancellationToken)
    {
        var cookies = new CookieContainer();
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            CookieContainer = cookies,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            using var form = await client.GetAsync(SignIn, cancellationToken);
            var html = await form.Content.ReadAsStringAsync(cancellationToken);
            if (form.StatusCode != HttpStatusCode.OK)
                throw new BenchException($"GET {SignIn} answered {(int)form.StatusCode} {form.StatusCode}, not 200: the benchmark needs {Needs}. {Load.Shorten(html)}");
            var fields = HiddenInput().Matches(html)
                .Select(m => KeyValuePair.Create(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value))).ToList();
            if (!fields.Any(f => f.Key == "__RequestVerificationToken"))
                throw new BenchException($"GET {SignIn} answered a form without its antiforgery token: {Load.Shorten(html)}");
            fields.Add(KeyValuePair.Create("Username", credentials.Username));
            fields.Add(KeyValuePair.Create("Password", credentials.Password));
            using var content = new FormUrlEncodedContent(fields);
            using var signedIn = await client.PostAsync(SignIn, content, cancellationToken);
            if (signedIn.StatusCode != HttpStatusCode.Found || cookies.GetCookies(new Uri(server.BaseAddress, Page))["tagflow_app"] is null)
                throw new BenchException($"POST {SignIn} answered {(int)signedIn.StatusCode} {signedIn.StatusCode} "
                    + $"{(signedIn.Headers.Location is { } to ? $"to {to} " : "")}without the app's cookie, not a 302 that signs in: "
                    + Load.Shorten(await signedIn.Content.ReadAsStringAsync(cancellationToken)));
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>One request for the page, read to its end; answers how many contacts it lists.</summary>
    private static async Task<int> GetAsync(HttpClient client, PageVariant variant, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(variant.Path + variant.Query, cancellationToken);
        var html = await response.Content.ReadAsStringAsync(cancellationToken);
        var what = $"GET {variant.Path}{variant.Query} ({variant.Name})";
        if (response.StatusCode != HttpStatusCode.OK)
            throw new BenchException($"{what} answered {(int)response.StatusCode} {response.StatusCode}"
                + $"{(response.Headers.Location is { } to ? $" to {to}" : "")}, not 200: {Load.Shorten(html)}");
        if (!html.Contains(variant.Marker, StringComparison.Ordinal) || !html.Contains("</html>", StringComparison.Ordinal)
            || (variant.IsContactList && !html.Contains("</table>", StringComparison.Ordinal)))
            throw new BenchException($"{what} answered 200 without the page's content ({variant.Marker}): {Load.Shorten(html)}");
        if (!variant.IsContactList) return 0;
        var rows = RowCheckbox().Count(html);
        if (variant.Rows is { } expected ? rows != expected : rows == 0)
            throw new BenchException($"{what} listed {rows} contacts, not {(variant.Rows is { } n ? n.ToString(CultureInfo.InvariantCulture) : "any")}.");
        return rows;
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)""")]
    private static partial Regex HiddenInput();

    /// <summary>Each row of the table starts with the box that selects its contact.</summary>
    [GeneratedRegex("""<input type="checkbox" name="selected" """)]
    private static partial Regex RowCheckbox();
}
