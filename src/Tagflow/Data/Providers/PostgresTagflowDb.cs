using Microsoft.EntityFrameworkCore;

namespace Tagflow.Data;

internal sealed class PostgresTagflowDb(DbContextOptions<PostgresTagflowDb> options) : TagflowDb(options);
