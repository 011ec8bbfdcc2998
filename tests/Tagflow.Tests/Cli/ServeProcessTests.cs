using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary>
/// <c>tagflow serve</c> run as a process, as a newcomer runs it: the demo credentials it prints
/// work, and a change it answered 2xx survives the process being killed.
/// </summary>
public sealed partial class ServeProcessTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PrintedDemoKeysWorkAndAnsweredWritesSurviveAKill(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        using var process = ProgramProcess.Start(db, "serve", "--urls", "http://127.0.0.1:0");
        var log = CollectLog(process);
        try
        {
            var banner = await ReadBannerAsync(process, log);
            var url = Url().Match(banner).Groups[1].Value;
            var password = Printed(banner, "password");
            var developerKey = Printed(banner, "developer key");
            var customerKey = Printed(banner, "customer key");
            Assert.Matches("^[0-9a-f]{64}$", developerKey);
            Assert.Contains($"X-Ci: {TagflowHost.XCi(developerKey, customerKey)}", banner, StringComparison.Ordinal);
            // No --smtp: the operator is told where the emails go instead.
            Assert.Contains("No SMTP server configured (--smtp): emails are written to ", banner, StringComparison.Ordinal);

            using var client = new HttpClient { BaseAddress = new Uri(url) };
            client.DefaultRequestHeaders.Add("X-Un", "demo");
            client.DefaultRequestHeaders.Add("X-Ci", TagflowHost.XCi(developerKey, customerKey));
            Assert.Equal("demo", (await WireAssert.OkAsync(await client.GetAsync("/account"))).GetProperty("username").GetString());
            using var login = new HttpClient { BaseAddress = new Uri(url) };
            await WireAssert.OkAsync(await login.PostAsJsonAsync("/account/login", new { username = "demo", password }));

            var tagId = (await WireAssert.OkAsync(await client.PostAsJsonAsync("/tag", new { name = "Kept" })))[0].GetInt64();
            // The request log, on stderr; it is written just after the answer, so wait for it before the kill.
            await WaitForAsync(() => log.Any(l => l.Contains("POST /tag 200", StringComparison.Ordinal)), "the request log line of POST /tag");
            process.Kill(entireProcessTree: true); // no shutdown, no flush: only what was durable remains
            await process.WaitForExitAsync();

            await using var restarted = await TagflowHost.StartOnAsync(db);
            using var again = restarted.PartnerClient("demo", developerKey, customerKey);
            var tags = await WireAssert.OkAsync(await again.GetAsync("/tag"));
            Assert.Equal("Kept", tags.GetProperty(tagId.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetString());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (var waited = TimeSpan.Zero; !condition(); waited += TimeSpan.FromMilliseconds(20))
        {
            if (waited > TimeSpan.FromSeconds(10)) Assert.Fail($"Waited 10 s for {what}.");
            await Task.Delay(20);
        }
    }

    /// <summary>Collects what the server logs on stderr, which must be read: a full pipe would stall it.</summary>
    internal static System.Collections.Concurrent.ConcurrentQueue<string> CollectLog(Process process)
    {
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.BeginErrorReadLine();
        return log;
    }

    /// <summary>Reads stdout until the demo block's curl line, or fails after a minute.</summary>
    internal static async Task<string> ReadBannerAsync(Process process, IEnumerable<string> log)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var banner = new System.Text.StringBuilder();
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            banner.AppendLine(line);
            if (line.Contains("curl -X POST", StringComparison.Ordinal)) return banner.ToString();
        }
        Assert.Fail($"tagflow serve ended before printing the demo account: {banner}{string.Join('\n', log)}");
        return "";
    }

    internal static string Printed(string banner, string label) =>
        Regex.Match(banner, $@"^\s+{label}\s+(\S+)\s*$", RegexOptions.Multiline).Groups[1].Value;

    [GeneratedRegex(@"Tagflow serves (http://\S+) on")]
    private static partial Regex Url();
}
