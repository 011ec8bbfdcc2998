using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tagflow.Data;

/// <summary>
/// On PostgreSQL, sends statements that a context has waiting (<see cref="TagflowDb.SendAhead"/>) in
/// the same round trip as its next query: the group commit's savepoint of a change then costs no
/// round trip of its own, nor does the release of the change before it. Npgsql sends the statements
/// of one command together and reads their answers in order; a statement that returns no rows is
/// skipped by the reader, so the query's rows are read as before. Only queries and bulk updates that
/// EF Core generates take them along (their SQL has named parameters, which Npgsql splits into
/// statements); SaveChanges reads each statement's count of rows in order, so before its batch,
/// and before any other command, the waiting statements go in a command of their own. Commands
/// that do not pass through EF Core (binary COPY) must send them first:
/// <see cref="TagflowDb.SendAheadNowAsync"/>.
/// </summary>
internal sealed class StatementsAhead : DbCommandInterceptor
{
    public static readonly StatementsAhead Instance = new();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        if (Waiting(eventData, command, joins: eventData.CommandSource == CommandSource.LinqQuery) is { } statements) Execute(command, statements);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (Waiting(eventData, command, joins: eventData.CommandSource == CommandSource.LinqQuery) is { } statements)
            await ExecuteAsync(command, statements, cancellationToken);
        return result;
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (Waiting(eventData, command, joins: eventData.CommandSource is CommandSource.ExecuteUpdate or CommandSource.ExecuteDelete) is { } statements)
            Execute(command, statements);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (Waiting(eventData, command, joins: eventData.CommandSource is CommandSource.ExecuteUpdate or CommandSource.ExecuteDelete) is { } statements)
            await ExecuteAsync(command, statements, cancellationToken);
        return result;
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        if (Waiting(eventData, command, joins: false) is { } statements) Execute(command, statements);
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
        CancellationToken cancellationToken = default)
    {
        if (Waiting(eventData, command, joins: false) is { } statements) await ExecuteAsync(command, statements, cancellationToken);
        return result;
    }

    /// <summary>The waiting statements that still need a command of their own: none when <paramref name="joins"/>, which puts them ahead of the command's own.</summary>
    private static string? Waiting(CommandEventData eventData, DbCommand command, bool joins)
    {
        if (eventData.Context is not TagflowDb db || db.TakeAhead() is not { } statements) return null;
        if (!joins) return statements;
        command.CommandText = statements + command.CommandText;
        return null;
    }

    private static void Execute(DbCommand command, string statements)
    {
        using var own = Own(command, statements);
        own.ExecuteNonQuery();
    }

    private static async Task ExecuteAsync(DbCommand command, string statements, CancellationToken cancellationToken)
    {
        await using var own = Own(command, statements);
        await own.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Own(DbCommand command, string statements)
    {
        var own = command.Connection!.CreateCommand();
        own.Transaction = command.Transaction;
        own.CommandText = statements;
        return own;
    }
}
