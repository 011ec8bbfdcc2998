using Tagflow.Contacts;
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

/// <summary>
/// A new contact's id is known before it is saved (on PostgreSQL from a block the instance took from
/// the contacts' sequence): rows inserted by the database's own default in between, as an import's
/// are, never get one of those ids, and each contact keeps its own fields and tags.
/// </summary>
public sealed class ContactIdTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ContactsAddedThroughTheApiAndByTheDatabasesDefaultNeverShareAnId(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var client = await host.NewAccountClientAsync("anna");
        var account = await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().Accounts.SingleAsync(a => a.Username == "anna"));

        var ids = new List<long> { long.Parse(await ContactCalls.AddIdAsync(client, "first@example.com")) };
        ids.Add(await host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<TagflowDb>();
            var list = await db.OptInProcesses.Where(p => p.AccountId == account.Id).Select(p => p.Id).FirstAsync();
            var now = DateTime.UtcNow;
            var contact = new Contact
            {
                AccountId = account.Id, Email = "direct@example.com", NormalizedEmail = "direct@example.com", ListId = list, Status = ContactStatus.Subscribed,
                SignupAt = now, SignupIp = "", SignupSource = "", OptInIp = "", UnsubscribedIp = "", CreatedAt = now, UpdatedAt = now,
            };
            db.Contacts.Add(contact);
            await db.SaveChangesAsync();
            return contact.Id;
        }));
        for (var i = 0; i < 3; i++)
        {
            var added = await ContactCalls.AddAsync(client, new { email = $"later{i}@example.com", fields = new { fieldFirstName = $"Later {i}" } });
            ids.Add(long.Parse(added.GetProperty("id").GetString()!));
        }

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.Order(), (await ContactCalls.ListAllAsync(client)).Select(long.Parse).Order());
        for (var i = 0; i < 3; i++)
        {
            var contact = await ContactCalls.GetAsync(client, ids[2 + i].ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal($"later{i}@example.com", contact.GetProperty("email").GetString());
            Assert.Equal($"Later {i}", contact.GetProperty("fieldFirstName").GetString());
        }
    }
}
