using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tagflow.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CampaignPause : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SentEmails_CampaignId",
                table: "SentEmails");

            migrationBuilder.AddColumn<DateTime>(
                name: "PausedAt",
                table: "Campaigns",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_SentEmails_CampaignId_Step",
                table: "SentEmails",
                columns: new[] { "CampaignId", "Step" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SentEmails_CampaignId_Step",
                table: "SentEmails");

            migrationBuilder.DropColumn(
                name: "PausedAt",
                table: "Campaigns");

            migrationBuilder.CreateIndex(
                name: "IX_SentEmails_CampaignId",
                table: "SentEmails",
                column: "CampaignId");
        }
    }
}
