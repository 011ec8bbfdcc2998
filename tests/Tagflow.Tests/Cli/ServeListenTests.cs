using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Cli;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary>
/// <c>tagflow serve</c> listens before it creates the demo account: a server that cannot listen says
/// why in one sentence and leaves no account behind, so the next start still prints the demo keys.
/// </summary>
[Collection(AdminCli.Collection)]
public sealed class ServeListenTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATakenPortIsOneSentenceAndTheNextStartCreatesAndPrintsTheDemoAccount(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        CliResult refused;
        try
        {
            refused = await ProgramProcess.RunAsync(db, "serve", "--urls", url);
        }
        finally
        {
            taken.Stop();
        }

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("", refused.Output);
        // The whole of stderr: the sentence, and no stack trace or log line around it.
        Assert.Equal($"tagflow: Cannot listen on {url}: another program uses that port; stop it, or choose another port with --urls (TAGFLOW_URLS).\n",
            refused.Error);
        Assert.Equal(0, await AccountsAsync(db));

        using var process = ProgramProcess.Start(db, "serve", "--urls", url);
        var log = ServeProcessTests.CollectLog(process);
        try
        {
            var banner = await ServeProcessTests.ReadBannerAsync(process, log);
            Assert.Contains($"Tagflow serves {url} on ", banner, StringComparison.Ordinal);
            Assert.Contains("Created a demo account on this empty database", banner, StringComparison.Ordinal);
            Assert.Equal("demo", ServeProcessTests.Printed(banner, "username"));
            Assert.Matches("^[0-9a-f]{64}$", ServeProcessTests.Printed(banner, "developer key"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        Assert.Equal(1, await AccountsAsync(db));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnAddressOfAnotherMachineIsOneSentenceAndCreatesNoAccount(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        // 192.0.2.0/24 is reserved for documentation: no machine has it, so binding to it fails.
        var refused = await AdminCli.RunAsync(db, "serve", "--urls", "http://192.0.2.1:5080");

        Assert.Equal((1, ""), (refused.ExitCode, refused.Output));
        Assert.Equal("tagflow: Cannot listen on http://192.0.2.1:5080: that address is not one of this machine's; "
            + "choose one of its addresses with --urls (TAGFLOW_URLS), or http://0.0.0.0:PORT for all of them.\n", refused.Error);
        Assert.Equal(0, await AccountsAsync(db));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnAddressThatCannotBeListenedOnIsRefusedBeforeTheDatabaseIsTouched(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        foreach (var (urls, expected) in new[]
        {
            ("nonsense", "'nonsense' is not an address to listen on: give --urls (TAGFLOW_URLS) as http://HOST:PORT, such as http://127.0.0.1:5080."),
            ("ftp://127.0.0.1:21", "'ftp://127.0.0.1:21' is not an address to listen on"),
            ("http://127.0.0.1:99999", "'http://127.0.0.1:99999' has no valid port"),
            ("https://127.0.0.1:5443", "Tagflow listens on plain HTTP, not on https://127.0.0.1:5443: put a reverse proxy in front of it"),
        })
        {
            var refused = await AdminCli.RunAsync(db, "serve", "--urls", urls);

            Assert.Equal((1, ""), (refused.ExitCode, refused.Output));
            Assert.StartsWith("tagflow: " + expected, refused.Error, StringComparison.Ordinal);
            Assert.Single(refused.Error.TrimEnd('\n').Split('\n'));
        }
        // Refused before the database was prepared: its key file is made then.
        Assert.False(File.Exists(AdminCli.KeyFile(db)));
    }

    /// <summary>
    /// Port 80 without the right to it cannot be set up on every test machine (root may bind it), so
    /// the failure Kestrel reports then, a bare SocketException, is given to the sentence directly.
    /// </summary>
    [Fact]
    public void AMissingPermissionToListenSaysToChooseAPortFrom1024Up()
    {
        var failure = Listening.Failure(new SocketException((int)SocketError.AccessDenied), "http://0.0.0.0:80");

        Assert.Equal("Cannot listen on http://0.0.0.0:80: permission denied, as ports below 1024 need administrator rights; "
            + "choose a port from 1024 up with --urls (TAGFLOW_URLS), such as http://127.0.0.1:5080.", failure);
    }

    private static async Task<int> AccountsAsync(TestDatabase db)
    {
        await using var services = new ServiceCollection().AddLogging().AddTagflowCore(TagflowHost.Settings(db)).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TagflowDb>().Accounts.CountAsync();
    }
}
