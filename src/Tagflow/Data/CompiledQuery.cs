namespace Tagflow.Data;

/// <summary>
/// A query compiled with <c>EF.CompileAsyncQuery</c>, once per provider: EF Core binds a compiled
/// query to the model it first runs against, and Tagflow has one model per provider (a process
/// serving SQLite never uses the PostgreSQL one, but a test run uses both).
/// </summary>
internal sealed class CompiledQuery<TQuery>(Func<TQuery> compile) where TQuery : Delegate
{
    private readonly Lazy<TQuery> _sqlite = new(compile);
    private readonly Lazy<TQuery> _postgres = new(compile);

    /// <summary>The query compiled for <paramref name="db"/>'s provider.</summary>
    public TQuery For(TagflowDb db) => (db is SqliteTagflowDb ? _sqlite : _postgres).Value;
}
