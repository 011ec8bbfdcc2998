using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tagflow.Data.Migrations.Postgres
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
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "FormAsksSms",
                table: "ListbuildingKeys",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "FormFields",
                table: "ListbuildingKeys",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "FormToken",
                table: "ListbuildingKeys",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            // The keys made before forms existed get a form token each, random as a new key's (32 hex characters;
            // gen_random_uuid (PostgreSQL 13 and later) is evaluated per row), before the unique index is made.
            migrationBuilder.Sql("""
                UPDATE "ListbuildingKeys" SET "FormToken" = replace(gen_random_uuid()::text, '-', '');
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
