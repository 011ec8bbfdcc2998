using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Hosting;

/// <summary>The server around the API: health, OpenAPI, docs, and the database settings it promises.</summary>
public sealed class HostingTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task HealthzAnswers200(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);

        using var response = await host.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheOpenApiDocumentDescribesTheWireRoutes(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);

        var document = await WireAssert.OkAsync(await host.Client.GetAsync("/openapi.json"));

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/tag", "/tag/{id}", "/account/login", "/list", "/field" })
            Assert.True(paths.Contains(path), $"{path} is missing from the OpenAPI paths: {string.Join(", ", paths)}");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheDocsAreABrowsablePage(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        // A browser follows Scalar's redirect from /docs to /docs/.
        using var browser = host.NewClient(new HttpClientHandler { AllowAutoRedirect = true });

        using var response = await browser.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("scalar.js", html, StringComparison.Ordinal);
        using var script = await browser.GetAsync("/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheDatabaseRunsWithDurableCommits(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);

        if (provider == Providers.Sqlite)
        {
            // synchronous=FULL: a 2xx answer means the write survives a crash; WAL is kept in the file.
            Assert.Equal("wal", await PragmaAsync(host, "PRAGMA journal_mode"));
            // Checked on several opens: the settings are made once per pooled native connection and must stay.
            for (var open = 0; open < 3; open++)
            {
                Assert.Equal("2", await PragmaAsync(host, "PRAGMA synchronous"));
                Assert.Equal("1", await PragmaAsync(host, "PRAGMA foreign_keys"));
            }
        }
        else
        {
            // Tagflow asks for it per session, even where the server's default is off (as in .ci/run).
            Assert.Equal("on", await PragmaAsync(host, "SHOW synchronous_commit"));
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ASecondServerOnTheSameDatabaseSeesTheSameTags(string provider)
    {
        await using var first = await TagflowHost.StartAsync(provider);
        var anna = await first.AddPartnerAsync("anna");
        using var firstClient = anna.ClientFor(first);
        var id = (await WireAssert.OkAsync(await firstClient.PostAsJsonAsync("/tag", new { name = "Kunde" })))[0].GetInt64();

        await using var second = await TagflowHost.StartOnAsync(first.Database);
        using var secondClient = anna.ClientFor(second);

        var tags = await WireAssert.OkAsync(await secondClient.GetAsync("/tag"));
        Assert.Equal("Kunde", tags.GetProperty(id.ToString(CultureInfo.InvariantCulture)).GetString());
        var other = (await WireAssert.OkAsync(await secondClient.PostAsJsonAsync("/tag", new { name = "Stammkunde" })))[0].GetInt64();
        Assert.Equal("Stammkunde", (await WireAssert.OkAsync(await firstClient.GetAsync($"/tag/{other}"))).GetProperty("name").GetString());
    }

    /// <summary>Runs a one-value query on a connection the server's own DbContext opens.</summary>
    private static Task<string> PragmaAsync(TagflowHost host, string sql) => host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<TagflowDb>();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    });
}
