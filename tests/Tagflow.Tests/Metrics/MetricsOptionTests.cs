using Tagflow.Tests.Cli;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Metrics;

/// <summary><c>tagflow serve --metrics-urls</c>: the port tells metrics from the API, so it must be one of its own.</summary>
[Collection(AdminCli.Collection)]
public sealed class MetricsOptionTests
{
    [Theory]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://localhost:5091")]
    public async Task AMetricsAddressWithoutAFixedPortOfItsOwnIsRefused(string metricsUrls)
    {
        await using var db = await TestDatabase.CreateAsync(Providers.Sqlite);

        // Should it start a server after all, the test fails rather than waiting for it.
        var result = await AdminCli.RunAsync(db, "serve", "--urls", "http://127.0.0.1:5091", "--metrics-urls", metricsUrls)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--metrics-urls needs a fixed port that the API does not use", result.Error, StringComparison.Ordinal);
    }
}
