using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Accounts;

/// <summary>Passwords, session ids and keys reach neither the log nor the database in plain text.</summary>
public sealed class SecretHygieneTests
{
    private const string WrongPassword = "wrong-horse-battery-7731";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheLogHoldsNoPasswordSessionOrKey(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var secrets = await UseEveryCredentialAsync(host);

        Assert.NotEmpty(host.Logs.Lines);
        foreach (var line in host.Logs.Lines)
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, line, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheDatabaseHoldsNoPasswordSessionOrKeyInPlainText(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var secrets = await UseEveryCredentialAsync(host);

        var stored = provider == Providers.Sqlite ? ReadSqliteFiles(host.Database) : await ReadPostgresRowsAsync(host.Database);

        Assert.NotEmpty(stored);
        Assert.True(stored.AsSpan().IndexOf("anna"u8) >= 0, "the check must see the rows: the username is stored");
        foreach (var secret in secrets)
            Assert.True(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"the database holds '{secret}' in plain text");
    }

    /// <summary>Logs in right and wrong and calls with keys; answers every secret used.</summary>
    private static async Task<string[]> UseEveryCredentialAsync(TagflowHost host)
    {
        var anna = await host.AddPartnerAsync("anna");
        using (var wrong = await host.Client.PostAsJsonAsync("/account/login", new { username = "anna", password = WrongPassword }))
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using (var form = new FormUrlEncodedContent([new("username", "anna"), new("password", WrongPassword)]))
        using (var wrongForm = await host.Client.PostAsync("/account/login", form))
            Assert.Equal(HttpStatusCode.Unauthorized, wrongForm.StatusCode);
        var sessid = await host.LoginAsync("anna");
        using var session = host.SessionClient(sessid);
        await WireAssert.OkAsync(await session.GetAsync("/account"));
        using var partner = anna.ClientFor(host);
        await WireAssert.OkAsync(await partner.GetAsync("/account"));
        await WireAssert.OkAsync(await partner.GetAsync("/tag"));
        return [TagflowHost.Password, WrongPassword, sessid, anna.CustomerKey, anna.DeveloperKey,
            TagflowHost.XCi(anna.DeveloperKey, anna.CustomerKey)];
    }

    private static byte[] ReadSqliteFiles(TestDatabase database)
    {
        var path = database.DbArgument;
        return [.. ReadShared(path), .. ReadShared(path + "-wal")];
    }

    private static byte[] ReadShared(string path)
    {
        if (!File.Exists(path)) return [];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }

    private static async Task<byte[]> ReadPostgresRowsAsync(TestDatabase database)
    {
        var text = new StringBuilder();
        await using var source = NpgsqlDataSource.Create(database.DbArgument);
        foreach (var table in new[] { "Accounts", "Developers", "ApiGrants", "Sessions", "LoginThrottles" })
        {
            await using var command = source.CreateCommand($"SELECT row_to_json(t)::text FROM \"{table}\" t");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                text.AppendLine(reader.GetString(0));
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
