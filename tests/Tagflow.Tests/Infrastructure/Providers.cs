namespace Tagflow.Tests.Infrastructure;

/// <summary>
/// The database providers every storage-touching test runs on. PostgreSQL joins when
/// TAGFLOW_TEST_POSTGRES names a server (an admin connection string whose role may create
/// databases); .ci/run starts one and sets it.
/// </summary>
public static class Providers
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static string? PostgresAdminConnection =>
        Environment.GetEnvironmentVariable("TAGFLOW_TEST_POSTGRES") is { Length: > 0 } v ? v : null;

    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string> { Sqlite };
            if (PostgresAdminConnection is not null) data.Add(Postgres);
            return data;
        }
    }
}

public sealed class ProviderConfigurationTests
{
    [Fact]
    public void PostgresIsConfiguredWhenRunningInCi()
    {
        if (!string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) return;
        Assert.True(Providers.PostgresAdminConnection is not null,
            "CI=true but TAGFLOW_TEST_POSTGRES is not set: the PostgreSQL half of the suite would be skipped silently.");
    }
}
