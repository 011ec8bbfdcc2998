using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tagflow.Data.Migrations.Postgres
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

            migrationBuilder.AlterColumn<string>(
                name: "ThankYouUrl",
                table: "OptInProcesses",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<string>(
                name: "PendingUrl",
                table: "OptInProcesses",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<string>(
                name: "HtmlTemplate",
                table: "OptInProcesses",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "NormalizedName",
                table: "OptInProcesses",
                type: "character varying(250)",
                maxLength: 250,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SenderAddress",
                table: "OptInProcesses",
                type: "character varying(254)",
                maxLength: 254,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SenderName",
                table: "OptInProcesses",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Subject",
                table: "OptInProcesses",
                type: "character varying(250)",
                maxLength: 250,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "TextTemplate",
                table: "OptInProcesses",
                type: "text",
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

            migrationBuilder.AlterColumn<string>(
                name: "ThankYouUrl",
                table: "OptInProcesses",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(2000)",
                oldMaxLength: 2000);

            migrationBuilder.AlterColumn<string>(
                name: "PendingUrl",
                table: "OptInProcesses",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(2000)",
                oldMaxLength: 2000);

            migrationBuilder.CreateIndex(
                name: "IX_OptInProcesses_AccountId",
                table: "OptInProcesses",
                column: "AccountId");
        }
    }
}
