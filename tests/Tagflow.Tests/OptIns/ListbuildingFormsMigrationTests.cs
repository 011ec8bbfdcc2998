using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.OptIns;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.OptIns;

/// <summary>The migration that gave listbuilding keys their forms: the keys that existed before get a form token each, all different.</summary>
public sealed class ListbuildingFormsMigrationTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task KeysFromBeforeTheMigrationGetAFormTokenEachAndKeepWorking(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = new ServiceCollection().AddLogging().AddTagflowCore(TagflowHost.Settings(database)).BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
            await DatabasePreparation.PrepareAsync(scope.ServiceProvider, CancellationToken.None);
        string[] before;
        await using (var scope = services.CreateAsyncScope())
        {
            var sp = scope.ServiceProvider;
            var account = await sp.GetRequiredService<AccountAdmin>().AddAccountAsync("anna", TagflowHost.Password, "anna@example.com", Plan.Premium, "Europe/Berlin",
                CancellationToken.None);
            var db = sp.GetRequiredService<TagflowDb>();
            var process = await db.OptInProcesses.Where(p => p.AccountId == account.Id).Select(p => p.Id).SingleAsync();
            foreach (var name in new[] { "Blog", "Shop", "Webinar" })
                Assert.Null((await sp.GetRequiredService<ListbuildingAdmin>().AddAsync(account.Id, name, process, null, CancellationToken.None)).Refusal);
            before = [.. await db.ListbuildingKeys.OrderBy(k => k.Id).Select(k => k.KeyHash).ToListAsync()];

            // Back to the migration before, which drops the columns, and on again: the rows are as a database from before has them.
            var migrations = db.Database.GetMigrations().ToList();
            var forms = migrations.FindIndex(m => m.EndsWith("_ListbuildingForms", StringComparison.Ordinal));
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(migrations[forms - 1]);
            await migrator.MigrateAsync(migrations[forms]);
        }
        await using (var scope = services.CreateAsyncScope())
        {
            var keys = await scope.ServiceProvider.GetRequiredService<TagflowDb>().ListbuildingKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync();
            Assert.Equal(before, keys.Select(k => k.KeyHash));
            Assert.All(keys, k => Assert.Matches("^[0-9a-f]{32}$", k.FormToken));
            Assert.Equal(3, keys.Select(k => k.FormToken).Distinct().Count());
            Assert.All(keys, k => Assert.Null(k.DisabledAt));
            Assert.All(keys, k => Assert.Equal("", k.FormFields));
        }
    }
}
