using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tagflow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ListbuildingForms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "DisabledAt",
                table: "ListbuildingKeys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "FormAsksSms",
                table: "ListbuildingKeys",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "FormFields",
                table: "ListbuildingKeys",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "FormToken",
                table: "ListbuildingKeys",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            // The keys made before forms existed get a form token each, random as a new key's (32 hex characters;
            // randomblob is evaluated per row), before the unique index is made.
            migrationBuilder.Sql("""
                UPDATE "ListbuildingKeys" SET "FormToken" = lower(hex(randomblob(16)));
                """);

            migrationBuilder.CreateIndex(
                name: "IX_ListbuildingKeys_FormToken",
                table: "ListbuildingKeys",
                column: "FormToken",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ListbuildingKeys_FormToken",
                table: "ListbuildingKeys");

            migrationBuilder.DropColumn(
                name: "DisabledAt",
                table: "ListbuildingKeys");

            migrationBuilder.DropColumn(
                name: "FormAsksSms",
                table: "ListbuildingKeys");

            migrationBuilder.DropColumn(
                name: "FormFields",
                table: "ListbuildingKeys");

            migrationBuilder.DropColumn(
                name: "FormToken",
                table: "ListbuildingKeys");
        }
    }
}
