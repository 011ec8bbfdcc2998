using System.Net.Http.Json;
using System.Text.Json;
using Tagflow.Tests.Cli;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.OptIns;

/// <summary><c>tagflow lists add|update|remove</c> on the database of a running server: the id on stdout, errors on stderr.</summary>
[Collection(AdminCli.Collection)]
public sealed class ListsCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddUpdateAndRemoveAProcessThatTheRunningServerUsesAtOnce(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await TagflowHost.StartOnAsync(db);
        using var client = (await host.AddPartnerAsync("anna")).ClientFor(host);
        await AddAsync(client, new { email = "first@example.com" }); // the server now holds the account's processes
        var text = Path.Combine(db.Directory, "confirm.txt");
        await File.WriteAllTextAsync(text, "Hallo {{fieldFirstName}}, bitte hier bestätigen: {{confirm_url}}");

        var added = await AdminCli.RunAsync(db, "lists", "add", "anna", "Newsletter", "--thank-you-url", "https://example.com/thanks",
            "--sender-name", "Anna", "--sender-address", "news@example.com", "--subject", "Bitte bestätigen", "--text-file", text, "--resend-confirmation", "true");
        Assert.Equal(0, added.ExitCode);
        Assert.Equal("", added.Error);
        var id = long.Parse(added.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);

        var list = await WireAssert.OkAsync(await client.GetAsync($"/list/{id}"));
        Assert.Equal("Newsletter", list.GetProperty("name").GetString());
        Assert.Equal("https://example.com/thanks", list.GetProperty("thankyouurl").GetString());
        Assert.Equal(JsonValueKind.True, list.GetProperty("resendconfirmationemail").ValueKind);
        var email = await WireAssert.OkAsync(await client.GetAsync($"/list/{id}/email"));
        Assert.Equal("Hallo {{fieldFirstName}}, bitte hier bestätigen: {{confirm_url}}", email.GetProperty("text").GetString());
        Assert.Equal("Opt-In Pending", Text(await AddAsync(client, new { email = "anna@example.com", listid = id }), "status"));

        var updated = await AdminCli.RunAsync(db, "lists", "update", "anna", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--name", "Weekly", "--single-optin", "true");
        Assert.Equal((0, "", ""), (updated.ExitCode, updated.Output, updated.Error));
        Assert.Equal("Weekly", (await WireAssert.OkAsync(await client.GetAsync($"/list/{id}"))).GetProperty("name").GetString());
        Assert.Equal("Subscribed", Text(await AddAsync(client, new { email = "bert@example.com", listid = id }), "status"));

        var removed = await AdminCli.RunAsync(db, "lists", "remove", "anna", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((0, "", ""), (removed.ExitCode, removed.Output, removed.Error));
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "carl@example.com", listid = id }), 402);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ARefusedChangeSaysWhyOnStderrAndExitsNonZero(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "lists", "add", "anna", "Newsletter")).ExitCode);

        foreach (var args in new[]
        {
            new[] { "lists", "add", "anna", "newsletter" },
            ["lists", "add", "anna", "Other", "--pending-url", "example.com"],
            ["lists", "add", "anna", "Other", "--text-file", Path.Combine(db.Directory, "missing.txt")],
            ["lists", "remove", "anna", "424242"],
            ["lists", "add", "nobody", "Other"],
        })
        {
            var result = await AdminCli.RunAsync(db, args);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Equal("", result.Output);
            Assert.False(string.IsNullOrWhiteSpace(result.Error), $"{string.Join(' ', args)}: nothing on stderr");
        }
    }
}
