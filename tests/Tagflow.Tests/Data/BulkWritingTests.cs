using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NpgsqlTypes;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Events;
using Tagflow.OptIns;
using Tagflow.Tags;
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

    /// <summary>A contact with what an add-or-update writes for it: enums, times with and without a value, NULLs, a flag, bytes.</summary>
    private static (Contact, ContactField, ContactTag, ContactEvent, OptInToken, OutboxMail) RowsOf(long accountId, long listId, long tagId, string email, DateTime now) => (
        new Contact
        {
            AccountId = accountId, Email = email, NormalizedEmail = email, ListId = listId, Status = ContactStatus.Pending, Bounce = BounceStatus.Soft,
            SignupAt = now, SignupIp = "203.0.113.9", SignupSource = "api", OptInAt = null, UnsubscribedAt = now.AddTicks(1), SmsSignupAt = null,
            HasCampaignActivity = true, CreatedAt = now, UpdatedAt = now.AddMicroseconds(3),
        },
        new ContactField { Key = "fieldFirstName", Value = "Änne ✓" },
        new ContactTag { TagId = tagId, TaggedAt = now },
        new ContactEvent { AccountId = accountId, Type = EventTypes.TagAdded, TagId = null, Fields = "fieldFirstName", OccurredAt = now, SkipsAutomations = true },
        new OptInToken { AccountId = accountId, TokenHash = $"hash-{email}", CreatedAt = now, ExpiresAt = now.AddDays(3), Resubscribes = true, NewEmail = null },
        new OutboxMail { AccountId = accountId, FileName = $"{email}.eml", Content = [0, 1, 2, 255], CreatedAt = now, Attempts = 2, NotBefore = null });

    /// <summary>
    /// Rows written at once (<see cref="TagflowDb.AddRow"/>, <see cref="TagflowDb.AddTracked"/>,
    /// <see cref="TagflowDb.SaveNewAsync"/>) are stored exactly as the change tracker stores the same
    /// rows, get their generated keys, stay tracked where asked (a later change to them is saved), and
    /// go with a rolled-back savepoint. On SQLite they must really bypass the change tracker.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RowsWrittenAtOnceAreStoredAsTheChangeTrackerStoresThem(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var account = await host.AddAccountAsync("anna");
        var now = new DateTime(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc).AddTicks(1234560);

        var ids = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            var tag = new Tag { AccountId = account.Id, Name = "T", NormalizedName = "t", CreatedAt = now };
            db.Tags.Add(tag);
            await db.SaveChangesAsync();
            var listId = await db.OptInProcesses.Where(p => p.AccountId == account.Id).Select(p => p.Id).FirstAsync();
            if (provider == Providers.Sqlite)
            {
                foreach (var type in new[] { typeof(Contact), typeof(ContactField), typeof(ContactTag), typeof(ContactEvent), typeof(OptInToken), typeof(OutboxMail) })
                    Assert.True(RowShape.For(db.Model, type) is not null, $"{type.Name} is not written at once");
            }

            await using var transaction = await db.Database.BeginTransactionAsync();
            using var rows = db.WriteRowsAtOnce();
            // Through the change tracker.
            var (c1, f1, t1, e1, o1, m1) = RowsOf(account.Id, listId, tag.Id, "one@example.com", now);
            db.Contacts.Add(c1);
            await db.SaveChangesAsync();
            (f1.ContactId, t1.ContactId, e1.ContactId, o1.ContactId) = (c1.Id, c1.Id, c1.Id, c1.Id);
            db.AddRange(f1, t1, e1, o1, m1);
            await db.SaveChangesAsync();
            f1.Value = "changed";
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();

            // At once.
            var (c2, f2, t2, e2, o2, m2) = RowsOf(account.Id, listId, tag.Id, "two@example.com", now);
            await db.SaveNewAsync(c2, CancellationToken.None);
            Assert.NotEqual(0, c2.Id);
            (f2.ContactId, t2.ContactId, e2.ContactId, o2.ContactId) = (c2.Id, c2.Id, c2.Id, c2.Id);
            db.AddTracked(f2);
            db.AddRow(t2);
            db.AddRow(e2);
            db.AddRow(o2);
            db.AddRow(m2);
            if (provider == Providers.Sqlite)
            {
                Assert.Equal(EntityState.Unchanged, db.Entry(c2).State); // written, and tracked as if read
                Assert.Equal(EntityState.Detached, db.Entry(e2).State); // written, not tracked
                Assert.True(e2.Id > e1.Id && o2.Id > o1.Id && m2.Id > m1.Id);
                Assert.Contains(typeof(ContactEvent), db.TakeSaved());
            }
            f2.Value = "changed";
            await db.SaveChangesAsync();

            // Undone with its savepoint.
            await transaction.CreateSavepointAsync("undo");
            var (c3, _, _, e3, _, _) = RowsOf(account.Id, listId, tag.Id, "three@example.com", now);
            await db.SaveNewAsync(c3, CancellationToken.None);
            e3.ContactId = c3.Id;
            db.AddRow(e3);
            await db.SaveChangesAsync();
            await transaction.RollbackToSavepointAsync("undo");
            db.ChangeTracker.Clear();
            db.ReleaseRows();
            await transaction.CommitAsync();
            return (c1.Id, c2.Id);
        });

        await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            Assert.False(await db.Contacts.AnyAsync(c => c.Email == "three@example.com"));
            foreach (var (one, two) in new (object, object)[]
            {
                (await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == ids.Item1), await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == ids.Item2)),
                (await db.ContactFields.AsNoTracking().SingleAsync(c => c.ContactId == ids.Item1), await db.ContactFields.AsNoTracking().SingleAsync(c => c.ContactId == ids.Item2)),
                (await db.ContactTags.AsNoTracking().SingleAsync(c => c.ContactId == ids.Item1), await db.ContactTags.AsNoTracking().SingleAsync(c => c.ContactId == ids.Item2)),
                (await db.Events.AsNoTracking().SingleAsync(c => c.ContactId == ids.Item1), await db.Events.AsNoTracking().SingleAsync(c => c.ContactId == ids.Item2)),
                (await db.OptInTokens.AsNoTracking().SingleAsync(c => c.ContactId == ids.Item1), await db.OptInTokens.AsNoTracking().SingleAsync(c => c.ContactId == ids.Item2)),
                (await db.OutboxMails.AsNoTracking().SingleAsync(c => c.FileName == "one@example.com.eml"), await db.OutboxMails.AsNoTracking().SingleAsync(c => c.FileName == "two@example.com.eml")),
            })
            {
                Assert.Equal(Columns(one, ids.Item1, "one"), Columns(two, ids.Item2, "two"));
            }
            Assert.Equal("changed", (await db.ContactFields.AsNoTracking().SingleAsync(c => c.ContactId == ids.Item2)).Value);
            return 0;
        });
    }

    /// <summary>A row's values but its key, with its contact's id and the address's name made alike, to compare two rows.</summary>
    private static string Columns(object row, long contactId, string name) => string.Join("; ", row.GetType().GetProperties()
        .Where(p => p.Name != "Id")
        .Select(p => p.Name == "ContactId" ? $"ContactId={((long)p.GetValue(row)! == contactId ? "<contact>" : "another")}" : $"{p.Name}={p.GetValue(row) switch
        {
            byte[] bytes => Convert.ToHexString(bytes),
            DateTime t => t.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            var v => v?.ToString()?.Replace(name, "<name>", StringComparison.Ordinal),
        }}"));
}
