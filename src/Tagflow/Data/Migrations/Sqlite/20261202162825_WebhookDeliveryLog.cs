using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tagflow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WebhookDeliveryLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<long>(
                name: "ContactId",
                table: "WebhookDeliveries",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AddColumn<string>(
                name: "Cause",
                table: "WebhookDeliveries",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Answer",
                table: "WebhookAttempts",
                type: "TEXT",
                maxLength: 500,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_Events_AccountId_ContactId_Id",
                table: "Events",
                columns: new[] { "AccountId", "ContactId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Test events are about no contact: before the column holds only contacts again, they go.
            migrationBuilder.Sql("DELETE FROM \"WebhookDeliveries\" WHERE \"ContactId\" IS NULL;");

            migrationBuilder.DropIndex(
                name: "IX_Events_AccountId_ContactId_Id",
                table: "Events");

            migrationBuilder.DropColumn(
                name: "Cause",
                table: "WebhookDeliveries");

            migrationBuilder.DropColumn(
                name: "Answer",
                table: "WebhookAttempts");

            migrationBuilder.AlterColumn<long>(
                name: "ContactId",
                table: "WebhookDeliveries",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);
        }
    }
}
