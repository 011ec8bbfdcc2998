using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tagflow.Data;

namespace Tagflow.Tests.Infrastructure;

/// <summary>
/// Holds the writer of an account's changes until disposed, so that changes queue up behind it: on
/// SQLite the process's writer gate; on PostgreSQL the account's advisory lock, taken by a session
/// of its own as another instance would hold it.
/// </summary>
internal sealed class WriterHold(Func<ValueTask> release) : IAsyncDisposable
{
    /// <summary>Tagflow's class id for its advisory locks (see <c>Writes.LockAccountAsync</c>).</summary>
    private const int AdvisoryLockClass = 0x7466;

    public static async Task<WriterHold> TakeAsync(IServiceProvider services, long accountId)
    {
        var db = services.GetRequiredService<TagflowDb>();
        if (db is SqliteTagflowDb)
        {
            var gate = services.GetRequiredService<SqliteWriteGate>();
            await gate.Semaphore.WaitAsync();
            return new WriterHold(() =>
            {
                gate.Semaphore.Release();
                return ValueTask.CompletedTask;
            });
        }
        var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await LockAsync(connection, "pg_advisory_lock", accountId);
        return new WriterHold(async () =>
        {
            await LockAsync(connection, "pg_advisory_unlock", accountId);
            await connection.DisposeAsync();
        });
    }

    private static async Task LockAsync(NpgsqlConnection connection, string function, long accountId)
    {
        await using var command = new NpgsqlCommand($"SELECT {function}(@class, @account)", connection);
        command.Parameters.AddWithValue("class", AdvisoryLockClass);
        command.Parameters.AddWithValue("account", unchecked((int)accountId));
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => release();
}
