using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tagflow.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OutboxAccount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "AccountId",
                table: "OutboxMails",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMails_AccountId",
                table: "OutboxMails",
                column: "AccountId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMails_AccountId",
                table: "OutboxMails");

            migrationBuilder.DropColumn(
                name: "AccountId",
                table: "OutboxMails");
        }
    }
}
