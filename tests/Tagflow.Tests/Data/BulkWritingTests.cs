using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NpgsqlTypes;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Data;

/// <summary>
/// <see cref="BulkInsert"/> writes every row as given, whatever the count (statements of many rows,
/// then single rows), even where a value repeats the row before's, changes to or from NULL, or
/// differs only in the fraction of a second; <see cref="BulkLookup"/> finds exactly the account's keys.
/// </summary>
public sealed class BulkWritingTests
{
    private static readonly BulkTable Events = new("Events",
        new("AccountId", NpgsqlDbType.Bigint), new("Type", NpgsqlDbType.Varchar), new("ContactId", NpgsqlDbType.Bigint), new("TagId", NpgsqlDbType.Bigint),
        new("Fields", NpgsqlDbType.Text), new("OccurredAt", NpgsqlDbType.TimestampTz), new("SkipsAutomations", NpgsqlDbType.Boolean));

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryRowIsWrittenAsGivenWhateverRepeats(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var account = await host.AddAccountAsync("anna");
        var start = new DateTime(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc);
        // 75 rows: two statements of 32 rows and 11 single rows. Every column repeats for a few rows and
        // then changes, NULL included; a time differs from the row before only by a microsecond (PostgreSQL keeps no finer).
        var rows = Enumerable.Range(0, 75).Select(i => new object?[]
        {
            account.Id,
            i % 7 < 4 ? EventTypes.TagAdded : EventTypes.ContactUpdated,
            1000L + i / 3,
            i % 5 == 0 ? null : 10L + i % 4,
            (i % 6) switch { 0 or 1 => null, 2 => "", 3 => "fieldFirstName", _ => $"field{i}, Ä ✓" },
            i % 4 == 0 ? start : start.AddMicroseconds(i),
            i % 9 < 5,
        }).ToList();

        await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BulkInsert.WriteAsync(db, Events, rows, CancellationToken.None);
            await transaction.CommitAsync();
            return 0;
        });

        var stored = await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().Events.AsNoTracking()
            .Where(e => e.AccountId == account.Id).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(rows.Count, stored.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (want, got) = (rows[i], stored[i]);
            Assert.Equal((want[1], want[2], want[3], want[4], want[5], want[6]),
                ((object?)got.Type, (object?)got.ContactId, (object?)got.TagId, (object?)got.Fields, (object?)got.OccurredAt, (object?)got.SkipsAutomations));
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ALookupFindsTheAccountsOwnKeysAndNoOthers(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var annas = await Contacts.ContactCalls.AddIdAsync(anna, "one@example.com");
        await Contacts.ContactCalls.AddIdAsync(bert, "two@example.com");

        var found = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            var accountId = await db.Accounts.Where(a => a.Username == "anna").Select(a => a.Id).SingleAsync();
            return await BulkLookup.IdsAsync(db, "Contacts", "NormalizedEmail", accountId, ["one@example.com", "two@example.com", "three@example.com"], CancellationToken.None);
        });

        Assert.Equal(new Dictionary<string, long> { ["one@example.com"] = long.Parse(annas, System.Globalization.CultureInfo.InvariantCulture) }, found);
    }
}
