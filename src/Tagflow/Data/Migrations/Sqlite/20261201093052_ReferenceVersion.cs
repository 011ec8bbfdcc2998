using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tagflow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReferenceVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ReferenceVersion",
                table: "Accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            foreach (var sql in ReferenceVersionTriggers.CreateSqlite()) migrationBuilder.Sql(sql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var sql in ReferenceVersionTriggers.DropSqlite()) migrationBuilder.Sql(sql);

            migrationBuilder.DropColumn(
                name: "ReferenceVersion",
                table: "Accounts");
        }
    }
}
