using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace Tagflow.Data;

/// <summary>
/// The shape of an entity's row for <see cref="RowInserts"/>: its table, its columns with their EF
/// Core getters and value converters (so values are stored exactly as EF Core stores them), and the
/// key the database generates, if any. Null for a type it cannot write that way (shadow or other
/// generated properties, owned or derived types): that type goes through the change tracker.
/// </summary>
internal sealed class RowShape
{
    private static readonly ConcurrentDictionary<(IModel, Type), RowShape?> Shapes = new();

    public required BulkTable Table { get; init; }

    private IProperty[] _columns = [];
    private PropertyInfo? _generatedKey;

    public static RowShape? For(IModel model, Type type) => Shapes.GetOrAdd((model, type), static key => Build(key.Item1, key.Item2));

    private static RowShape? Build(IModel model, Type type)
    {
        if (model.FindEntityType(type) is not { } entity || entity.BaseType is not null || entity.GetDerivedTypes().Any() || entity.IsOwned()
            || entity.GetTableName() is not { } table || entity.GetSchema() is not null)
            return null;
        var key = entity.FindPrimaryKey()!;
        var generated = key.Properties is [{ ValueGenerated: ValueGenerated.OnAdd, PropertyInfo: { } info } generatedKey]
            && generatedKey.ClrType == typeof(long) ? info : null;
        var columns = new List<IProperty>();
        foreach (var property in entity.GetProperties())
        {
            if (property.PropertyInfo == generated) continue;
            if (property.IsShadowProperty() || property.ValueGenerated != ValueGenerated.Never && !key.Properties.Contains(property)) return null;
            columns.Add(property);
        }
        var store = StoreObjectIdentifier.Table(table, null);
        return new RowShape
        {
            Table = new BulkTable(table, [.. columns.Select(p => new BulkColumn(p.GetColumnName(store)!, default))]),
            _columns = [.. columns],
            _generatedKey = generated,
        };
    }

    /// <summary>The entity's column values as the database stores them, in <see cref="Table"/>'s order.</summary>
    public object?[] Values(object entity)
    {
        var values = new object?[_columns.Length];
        for (var c = 0; c < _columns.Length; c++)
        {
            var property = _columns[c];
            var value = property.GetGetter().GetClrValueUsingContainingEntity(entity);
            if (value is not null && property.GetTypeMapping().Converter is { } converter) value = converter.ConvertToProvider(value);
            values[c] = value;
        }
        return values;
    }

    /// <summary>Whether the database makes the key (to be set on the entity after its insert); only if it is not set yet.</summary>
    public bool GeneratesKey(object entity) => _generatedKey is not null && (long)_generatedKey.GetValue(entity)! == 0;

    public void SetKey(object entity, long key) => _generatedKey!.SetValue(entity, key);
}

/// <summary>
/// Rows inserted at once on SQLite, inside the open transaction of a change, through statements
/// prepared once per transaction and stepped through SQLite's own API: what EF Core's change
/// tracker and its update pipeline would spend on each added row (most of the writer's time in an
/// add-or-update) is not spent. The transaction's savepoint undoes them with the rest of a change
/// that is refused or fails. See <see cref="TagflowDb.AddRow"/>.
/// </summary>
internal sealed class RowInserts : IDisposable
{
    private readonly Dictionary<Type, BulkInsert.Statement> _statements = [];
    private object? _transaction;

    /// <summary>Inserts the row of <paramref name="entity"/> in <paramref name="transaction"/>; sets a generated key on it.</summary>
    public void Insert(SqliteConnection connection, object transaction, RowShape shape, object entity)
    {
        if (!ReferenceEquals(transaction, _transaction))
        {
            Dispose(); // statements of an earlier transaction, whose connection may be another's by now
            _transaction = transaction;
        }
        var handle = connection.Handle!;
        if (!_statements.TryGetValue(entity.GetType(), out var statement))
            _statements[entity.GetType()] = statement = BulkInsert.Statement.Prepare(handle, shape.Table, 1);
        var generates = shape.GeneratesKey(entity);
        try
        {
            statement.Bind(shape.Values(entity), 0);
            statement.Step();
        }
        catch (SqliteException e)
        {
            // As EF Core reports a failed insert, so that callers that catch a unique violation still do.
            throw new DbUpdateException($"An error occurred while saving the entity changes: {e.Message}", e);
        }
        if (generates) shape.SetKey(entity, raw.sqlite3_last_insert_rowid(handle));
    }

    public void Dispose()
    {
        foreach (var statement in _statements.Values) statement.Dispose();
        _statements.Clear();
        _transaction = null;
    }
}
