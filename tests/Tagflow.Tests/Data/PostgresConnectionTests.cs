using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using Npgsql;
using Tagflow.Data;

namespace Tagflow.Tests.Data;

/// <summary>
/// Tagflow's PostgreSQL connections commit synchronously, prepare their frequent statements and are
/// not reset when handed back to the pool, unless the connection string says otherwise.
/// </summary>
public sealed class PostgresConnectionTests
{
    [Fact]
    public void ConnectionsPrepareTheirStatementsAndAreNotResetByDefault()
    {
        using var source = DataSetup.PostgresDataSource("Host=db.example;Database=tagflow;Username=tagflow");
        var settings = new NpgsqlConnectionStringBuilder(source.ConnectionString);

        Assert.Equal(DataSetup.PreparedPerConnection, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
        Assert.Contains("synchronous_commit=on", settings.Options);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("MaxAutoPrepare=0;NoResetOnClose=false")]
    [InlineData("max auto prepare=0;no reset on close=false")]
    public void WhatTheConnectionStringSetsIsKept(string options)
    {
        using var source = DataSetup.PostgresDataSource($"Host=db.example;Database=tagflow;{options}");
        var settings = new NpgsqlConnectionStringBuilder(source.ConnectionString);

        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.False(settings.NoResetOnClose);
    }
}

/// <summary>
/// The planner knows the tables' sizes: without statistics PostgreSQL took the wrong index for a
/// contact's lookup by address, and a prepared statement keeps such a plan until the table is analysed.
/// </summary>
public sealed class StatisticsTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RefreshingStatisticsTellsThePlannerHowManyContactsThereAre(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var client = await host.NewAccountClientAsync("anna");
        const int contacts = 120;
        for (var i = 0; i < contacts; i++) await ContactCalls.AddIdAsync(client, $"c{i}@example.com");

        var known = await host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<TagflowDb>();
            if (db is PostgresTagflowDb)
            {
                // PostgreSQL counts the changes of other sessions within a second or so.
                for (var waited = 0; waited < 100 && await Scalar(db, """SELECT n_mod_since_analyze AS "Value" FROM pg_stat_user_tables WHERE relname = 'Contacts'""") < contacts; waited++)
                    await Task.Delay(100);
            }
            await DataSetup.RefreshStatisticsAsync(db, services.GetRequiredService<SqliteWriteGate>(), CancellationToken.None);
            return db is PostgresTagflowDb
                ? await Scalar(db, """SELECT reltuples::bigint AS "Value" FROM pg_class WHERE relname = 'Contacts'""")
                : await Scalar(db, """SELECT CAST(substr(stat, 1, instr(stat, ' ') - 1) AS INTEGER) AS "Value" FROM sqlite_stat1 WHERE tbl = 'Contacts' LIMIT 1""");
        });

        Assert.Equal(contacts, known);
    }

    private static async Task<long> Scalar(TagflowDb db, string sql) =>
        (await db.Database.SqlQueryRaw<long>(sql).ToListAsync()).Single();
}
