using Tagflow.Data;

namespace Tagflow.Housekeeping;

/// <summary>
/// On PostgreSQL, keeps the query planner's statistics up to date every <see cref="Every"/>: a table
/// never analysed, or changed by more than a tenth since its last analysis, is analysed
/// (<see cref="DataSetup.RefreshStatisticsAsync"/>). PostgreSQL's autovacuum does the same, but a
/// minute or two late by default, and until then a growing table is planned as the small one it
/// was: measured on a new database, a contact's lookup by address took the index of the account's
/// contacts by change and read them all (1–2 ms instead of 0.02 ms at a few thousand contacts), and
/// a prepared statement keeps such a plan until the table is analysed again. A round that finds
/// nothing to do is one query of the statistics view. On SQLite the housekeeping round does this.
/// </summary>
internal sealed class PlannerStatistics(IServiceScopeFactory scopes, DatabaseTarget database, SqliteWriteGate gate, ILogger<PlannerStatistics> logger)
    : BackgroundLoop("The planner statistics", logger)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        database.Provider == DatabaseProvider.Postgres ? RunRoundsAsync(RefreshAsync, stoppingToken, startAfter: Every) : Task.CompletedTask;

    protected override TimeSpan RetryAfter(int failures) => Every;

    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
            await DataSetup.RefreshStatisticsAsync(scope.ServiceProvider.GetRequiredService<TagflowDb>(), gate, stoppingToken);
        await Task.Delay(Every, stoppingToken);
    }
}
