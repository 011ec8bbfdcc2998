using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary>
/// The migrations were squashed into one before the first release. A development database made
/// before that has only migrations in its history that Tagflow no longer knows: starting on it says
/// so in one sentence and leaves it as it is, instead of failing on its first table.
/// </summary>
public sealed class SquashedMigrationsTests
{
    private const string MigrationBeforeTheSquash = "20261127235904_Initial";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ADatabaseFromBeforeTheSquashIsRefusedInOneSentenceAndLeftAsItIs(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using (var services = Services(db))
        {
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TagflowDb>();
            var history = context.GetService<IHistoryRepository>();
            await history.CreateIfNotExistsAsync();
            await context.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(MigrationBeforeTheSquash, "10.0.15")));
        }

        var result = await ProgramProcess.RunAsync(db, "serve", "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("tagflow: The database (", line, StringComparison.Ordinal);
        Assert.Contains("was made by a development build of Tagflow from before its migrations were squashed into one", line, StringComparison.Ordinal);
        await using (var services = Services(db))
        {
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TagflowDb>();
            Assert.Equal([MigrationBeforeTheSquash], await context.Database.GetAppliedMigrationsAsync());
        }
        Assert.False(File.Exists(AdminCli.KeyFile(db)), "the start went on past the check (the key file is made after migrating)");
    }

    private static ServiceProvider Services(TestDatabase db) =>
        new ServiceCollection().AddLogging().AddTagflowCore(TagflowHost.Settings(db)).BuildServiceProvider();
}
