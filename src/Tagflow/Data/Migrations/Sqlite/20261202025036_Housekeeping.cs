using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tagflow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Housekeeping : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "LastAttemptAt",
                table: "LoginThrottles",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.CreateIndex(
                name: "IX_WebhookDeliveries_CreatedAt",
                table: "WebhookDeliveries",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_SentEmails_SentAt",
                table: "SentEmails",
                column: "SentAt");

            migrationBuilder.CreateIndex(
                name: "IX_OptInTokens_ExpiresAt",
                table: "OptInTokens",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WebhookDeliveries_CreatedAt",
                table: "WebhookDeliveries");

            migrationBuilder.DropIndex(
                name: "IX_SentEmails_SentAt",
                table: "SentEmails");

            migrationBuilder.DropIndex(
                name: "IX_OptInTokens_ExpiresAt",
                table: "OptInTokens");

            migrationBuilder.DropColumn(
                name: "LastAttemptAt",
                table: "LoginThrottles");
        }
    }
}
