using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace Tagflow.Data;

// Used only by `dotnet ef migrations add`; no database is contacted.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTagflowDb>
{
    public SqliteTagflowDb CreateDbContext(string[] args)
    {
        var o = new DbContextOptionsBuilder<SqliteTagflowDb>();
        DataSetup.ConfigureSqlite(o, "Data Source=design.db");
        return new SqliteTagflowDb(o.Options);
    }
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTagflowDb>
{
    public PostgresTagflowDb CreateDbContext(string[] args)
    {
        var o = new DbContextOptionsBuilder<PostgresTagflowDb>();
        DataSetup.ConfigurePostgres(o, NpgsqlDataSource.Create("Host=localhost;Database=tagflow_design"));
        return new PostgresTagflowDb(o.Options);
    }
}
