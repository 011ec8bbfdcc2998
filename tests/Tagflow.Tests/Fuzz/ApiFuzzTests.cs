using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Tagflow.Data;
using Tagflow.Tests.Cli;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Fuzz;

/// <summary>
/// Random requests to every operation of <c>/openapi.json</c>, in the three body encodings and the query
/// string: random and boundary values, wrong types, long lists, control characters, huge and negative
/// numbers, odd ids. Whatever arrives, no answer is a 5xx, every error is in the wire's format, and a
/// refused request (4xx) changes nothing stored. TAGFLOW_FUZZ_CASES sets how many requests (CI runs
/// the default); TAGFLOW_FUZZ_SEED replays a run.
/// </summary>
public sealed class ApiFuzzTests
{
    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("TAGFLOW_FUZZ_CASES"), out var n) ? n : 250;

    /// <summary>Tables only background work or the login counters write: a request's refusal is judged on the rest.</summary>
    private static readonly HashSet<string> Unjudged =
        ["Sessions", "LoginThrottles", "IdempotentRequests", "OutboxMails", "AutomationCursors", "CampaignRuns", "SentEmails", "WebhookDeliveries", "WebhookAttempts"];

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task NoRequestAnswers5xxOrAnErrorOutsideTheWireFormatAndNoRefusalChangesAnything(string provider)
    {
        // No background work: what a request did must be all that changed while it ran.
        await using var host = await TagflowHost.StartAsync(provider, s => s with { LoginsPerMinutePerAddress = 0, SignInsPerMinute = 0 },
            services => services.RemoveAll<IHostedService>());
        var partner = await host.AddPartnerAsync("anna");
        using var client = partner.ClientFor(host);
        var ids = await SeedAsync(host, client);
        var operations = await OperationsAsync(client);

        var cases = Gen.Select(Gen.Int[0, operations.Count - 1], Gen.Int[0, 4], Bodies(), Gen.Int[0, 9])
            .Select((operation, encoding, body, pathChoice) => new FuzzCase(operations[operation], (Encoding)encoding, body, pathChoice));
        await cases.SampleAsync(async c =>
        {
            var before = await DigestAsync(host);
            using var request = c.Build(ids);
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{c}: {status} {text}");
            if (status >= 400)
            {
                AssertWireError(response, text, c);
                Assert.True(before == await DigestAsync(host), $"{c}: refused with {status} {text}, but something stored changed");
            }
        }, iter: Cases, threads: 1, seed: Environment.GetEnvironmentVariable("TAGFLOW_FUZZ_SEED"), print: c => c.ToString());
    }

    private static void AssertWireError(HttpResponseMessage response, string text, FuzzCase c)
    {
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{c}: {(int)response.StatusCode} answered {response.Content.Headers.ContentType}: {text}");
        using var body = JsonDocument.Parse(text);
        var root = body.RootElement;
        if (response.StatusCode == HttpStatusCode.NotAcceptable)
            Assert.True(root.ValueKind == JsonValueKind.Object && root.GetProperty("error").ValueKind == JsonValueKind.Number, $"{c}: {text}");
        else
            Assert.True(root.ValueKind == JsonValueKind.Array && root.GetArrayLength() == 1 && root[0].ValueKind == JsonValueKind.String, $"{c}: {text}");
    }

    /// <summary>Every stored row of the tables a request writes, as one text.</summary>
    private static Task<string> DigestAsync(TagflowHost host) => host.WithServicesAsync(async sp =>
    {
        var rows = await StoredRows.ReadAsync(sp.GetRequiredService<TagflowDb>());
        return string.Join("\n", rows.Tables.Where(t => !Unjudged.Contains(t)).Order(StringComparer.Ordinal)
            .SelectMany(t => rows[t].Select(r => r.ToString()).Order(StringComparer.Ordinal)));
    });

    /// <summary>A little of everything, so that ids in paths and bodies can name something that exists.</summary>
    private static async Task<Dictionary<string, string>> SeedAsync(TagflowHost host, HttpClient client)
    {
        var single = await Contacts.DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var field = await CreateFieldAsync(client, "Größe", "number");
        var contact = Text(await AddAsync(client, new { email = "ann@example.com", listid = single, tagid = tag }), "id");
        await AddAsync(client, new { email = "bert@example.com" });
        return new()
        {
            ["tag"] = tag.ToString(CultureInfo.InvariantCulture),
            ["list"] = single.ToString(CultureInfo.InvariantCulture),
            ["field"] = field["field".Length..],
            ["contact"] = contact,
        };
    }

    private static async Task<List<Operation>> OperationsAsync(HttpClient client)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var operations = new List<Operation>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "delete"))
            {
                var keys = new List<string>();
                if (method.Value.TryGetProperty("requestBody", out var body))
                {
                    foreach (var content in body.GetProperty("content").EnumerateObject())
                    {
                        if (content.Value.GetProperty("schema").TryGetProperty("$ref", out var reference))
                        {
                            var schema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
                            if (schema.TryGetProperty("properties", out var properties))
                                keys.AddRange(properties.EnumerateObject().Select(p => p.Name.ToLowerInvariant()));
                        }
                        break;
                    }
                }
                operations.Add(new Operation(method.Name.ToUpperInvariant(), path.Name, [.. keys.Distinct()]));
            }
        }
        Assert.True(operations.Count >= 30, $"The OpenAPI document lists only {operations.Count} operations.");
        return operations;
    }

    /// <summary>Bodies of keys the wire knows and some it does not, with values of every shape.</summary>
    private static Gen<List<(string Key, JsonNode? Value)>> Bodies()
    {
        var known = Gen.OneOf("email", "smsnumber", "listid", "tagid", "tagids", "fields", "name", "text", "type", "status", "bounceStatus", "limit",
            "after", "newemail", "newsmsnumber", "apikey", "value", "url", "method", "format", "parameters", "steps", "usesingleoptin", "subject",
            "html", "password", "username", "before", "pendingurl", "thankyouurl", "sendername", "senderaddress");
        var key = Weighted((6, known), (1, Gen.String[Gen.Char, 0, 12]));
        return Gen.Select(key, Values(3)).List[0, 6].Select(pairs => pairs.Select(p => (p.Item1, p.Item2)).ToList());
    }

    private static Gen<T> Weighted<T>(params (int Weight, Gen<T> Gen)[] gens) =>
        Gen.Frequency([.. gens.Select(g => (g.Weight, (IGen<T>)g.Gen))]);

    private static Gen<JsonNode?> Values(int depth)
    {
        var strings = Weighted(
            (4, Gen.OneOf("", " ", "0", "-1", "1", "2", "3", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e309", "NaN",
                "true", "null", "a@b.de", "ann@example.com", "not an address", "+4915112345678", "0049", "subscribed", "pending,hardbounce", "line",
                "paragraph", "decimal", "date", "fieldFirstName", "field1", "https://example.com/", "http://127.0.0.1/", "__email__", "wait", "monday",
                "<script>alert(1)</script>", "' OR 1=1 --", "Jürgen 😀", "\u0000", "\u001b[2J", "\ud800", "line\nbreak", "\t", "%00", "../../etc/passwd")),
            (3, Gen.String),
            (1, Gen.Char['a', 'z'].Array[1000, 5000].Select(c => new string(c))));
        var numbers = Weighted(
            (3, Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n))),
            (3, Gen.OneOf(0L, 1L, 2L, -1L, long.MaxValue, long.MinValue).Select(n => (JsonNode?)JsonValue.Create(n))),
            (1, Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create(0.5))));
        var scalars = Weighted(
            (5, strings.Select(s => (JsonNode?)JsonValue.Create(s))),
            (3, numbers),
            (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
            (1, Gen.Const((JsonNode?)null)));
        if (depth == 0) return scalars;
        var nested = Values(depth - 1);
        return Weighted(
            (8, scalars),
            (2, nested.List[0, 4].Select(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())]))),
            (1, Gen.Int[0, 1].Select(_ => (JsonNode?)new JsonArray([.. Enumerable.Range(0, 1_001).Select(i => JsonValue.Create(i))]))),
            (2, Gen.Select(Gen.String[Gen.Char, 0, 10], nested).List[0, 4].Select(pairs =>
            {
                var obj = new JsonObject();
                foreach (var (name, value) in pairs) obj[name] = value?.DeepClone();
                return (JsonNode?)obj;
            })));
    }

    private enum Encoding { Json, Form, Multipart, Query, Junk }

    private sealed record Operation(string Method, string Path, string[] Keys);

    private sealed record FuzzCase(Operation Operation, Encoding Encoding, List<(string Key, JsonNode? Value)> Body, int PathChoice)
    {
        public HttpRequestMessage Build(IReadOnlyDictionary<string, string> ids)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(Operation.Path, @"\{(\w+)\}", m => Uri.EscapeDataString(PathValue(m.Groups[1].Value, ids)));
            var pairs = Flatten(Body).ToList();
            var request = new HttpRequestMessage(new HttpMethod(Operation.Method), path);
            switch (Encoding)
            {
                case Encoding.Json:
                    var json = new JsonObject();
                    foreach (var (key, value) in Body) json[key] = value?.DeepClone();
                    request.Content = new StringContent(json.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
                    break;
                case Encoding.Form:
                    request.Content = new StringContent(string.Join("&", pairs.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")),
                        System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
                    break;
                case Encoding.Multipart:
                    // Each part's header written as it comes (quotes, brackets and all), in UTF-8, as a careless client would.
                    var multipart = new MultipartFormDataContent { HeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 };
                    foreach (var (key, value) in pairs)
                    {
                        var part = new StringContent(value);
                        part.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"{key.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
                        multipart.Add(part);
                    }
                    request.Content = multipart;
                    break;
                case Encoding.Query:
                    request.RequestUri = new Uri(path + "?" + string.Join("&", pairs.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")), UriKind.Relative);
                    break;
                default:
                    request.Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(string.Concat(pairs.Select(p => p.Value))));
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", PathChoice % 2 == 0 ? "application/json" : "text/plain; charset=utf-7");
                    break;
            }
            return request;
        }

        /// <summary>An id that exists about half the time, else one that cannot or does not.</summary>
        private string PathValue(string name, IReadOnlyDictionary<string, string> ids) => PathChoice switch
        {
            < 5 => Operation.Path switch
            {
                var p when p.StartsWith("/tag", StringComparison.Ordinal) => ids["tag"],
                var p when p.StartsWith("/list", StringComparison.Ordinal) => ids["list"],
                var p when p.StartsWith("/field", StringComparison.Ordinal) => PathChoice % 2 == 0 ? ids["field"] : "FirstName",
                var p when p.StartsWith("/subscriber", StringComparison.Ordinal) => ids["contact"],
                _ => "1",
            },
            5 => "0",
            6 => "-1",
            7 => "99999999999999999999",
            8 => "abc",
            _ => name == "value" ? "example.org" : "ümlaut 😀",
        };

        /// <summary>The body as form keys, PHP style: <c>fields[fieldFirstName]</c>, <c>tagids[0]</c>.</summary>
        private static IEnumerable<(string Key, string Value)> Flatten(IEnumerable<(string Key, JsonNode? Value)> body)
        {
            foreach (var (key, value) in body)
            {
                switch (value)
                {
                    case JsonObject obj:
                        foreach (var inner in Flatten(obj.Select(p => (p.Key, p.Value)))) yield return ($"{key}[{Bracket(inner.Key)}", inner.Value);
                        break;
                    case JsonArray array:
                        foreach (var inner in Flatten(array.Select((v, i) => (i.ToString(CultureInfo.InvariantCulture), v)))) yield return ($"{key}[{Bracket(inner.Key)}", inner.Value);
                        break;
                    default:
                        yield return (key, value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "");
                        break;
                }
            }
        }

        private static string Bracket(string key) => key.Contains('[', StringComparison.Ordinal) ? key.Insert(key.IndexOf('[', StringComparison.Ordinal), "]") : key + "]";

        public override string ToString()
        {
            var body = new JsonObject();
            foreach (var (key, value) in Body) body[key] = value?.DeepClone();
            var text = body.ToJsonString();
            return $"{Operation.Method} {Operation.Path} [{Encoding}, path choice {PathChoice}] {(text.Length > 300 ? text[..300] + "…" : text)}";
        }
    }
}
