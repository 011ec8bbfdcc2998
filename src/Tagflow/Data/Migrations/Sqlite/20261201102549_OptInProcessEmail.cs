using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tagflow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OptInProcessEmail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OptInProcesses_AccountId",
                table: "OptInProcesses");

            migrationBuilder.AddColumn<string>(
                name: "HtmlTemplate",
                table: "OptInProcesses",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "NormalizedName",
                table: "OptInProcesses",
                type: "TEXT",
                maxLength: 250,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SenderAddress",
                table: "OptInProcesses",
                type: "TEXT",
                maxLength: 254,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SenderName",
                table: "OptInProcesses",
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Subject",
                table: "OptInProcesses",
                type: "TEXT",
                maxLength: 250,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "TextTemplate",
                table: "OptInProcesses",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            // Processes made before: their names, and the default confirmation email.
            migrationBuilder.Sql(Tagflow.OptIns.ConfirmationTemplate.BackfillSql);

            migrationBuilder.CreateIndex(
                name: "IX_OptInProcesses_AccountId_NormalizedName",
                table: "OptInProcesses",
                columns: new[] { "AccountId", "NormalizedName" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OptInProcesses_AccountId_NormalizedName",
                table: "OptInProcesses");

            migrationBuilder.DropColumn(
                name: "HtmlTemplate",
                table: "OptInProcesses");

            migrationBuilder.DropColumn(
                name: "NormalizedName",
                table: "OptInProcesses");

            migrationBuilder.DropColumn(
                name: "SenderAddress",
                table: "OptInProcesses");

            migrationBuilder.DropColumn(
                name: "SenderName",
                table: "OptInProcesses");

            migrationBuilder.DropColumn(
                name: "Subject",
                table: "OptInProcesses");

            migrationBuilder.DropColumn(
                name: "TextTemplate",
                table: "OptInProcesses");

            migrationBuilder.CreateIndex(
                name: "IX_OptInProcesses_AccountId",
                table: "OptInProcesses",
                column: "AccountId");
        }
    }
}
