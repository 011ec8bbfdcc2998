using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tagflow.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ContactsByRareState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Contacts_AccountId_Bounce_Id",
                table: "Contacts",
                columns: new[] { "AccountId", "Bounce", "Id" },
                filter: "\"Bounce\" <> 'None'");

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_AccountId_Status_Id",
                table: "Contacts",
                columns: new[] { "AccountId", "Status", "Id" },
                filter: "\"Status\" <> 'Subscribed'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Contacts_AccountId_Bounce_Id",
                table: "Contacts");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_AccountId_Status_Id",
                table: "Contacts");
        }
    }
}
