using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary>The bounce options: a value that is not what they take stops the server before it starts, saying what they want.</summary>
[Collection(AdminCli.Collection)]
public sealed class BounceOptionTests
{
    [Theory]
    [InlineData("--bounce-smtp and --bounce-imap need --bounce-domain", "--bounce-smtp", "0.0.0.0:2525")]
    [InlineData("--bounce-smtp and --bounce-imap need --bounce-domain", "--bounce-imap", "imaps://user:pass@imap.example.com/INBOX")]
    [InlineData("--bounce-smtp must be an address and port", "--bounce-domain", "bounces.example.com", "--bounce-smtp", "localhost")]
    [InlineData("--bounce-imap must look like imaps://", "--bounce-domain", "bounces.example.com", "--bounce-imap", "https://imap.example.com")]
    [InlineData("--bounce-domain must be a domain name", "--bounce-domain", "not a domain")]
    [InlineData("must be at least 1", "--soft-bounces", "0")]
    [InlineData("--bounce-smtp-certificate is for the listener of --bounce-smtp", "--bounce-domain", "bounces.example.com", "--bounce-smtp-certificate", "cert.pem")]
    [InlineData("cannot be read as a certificate with its private key", "--bounce-domain", "bounces.example.com", "--bounce-smtp", "127.0.0.1:2525",
        "--bounce-smtp-certificate", "/nonexistent/cert.pem")]
    public async Task ABounceOptionThatIsNotWhatItTakesStopsTheServer(string said, params string[] options)
    {
        await using var db = await TestDatabase.CreateAsync(Providers.Sqlite);

        var result = await AdminCli.RunAsync(db, ["serve", "--urls", "http://127.0.0.1:0", .. options]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains(said, result.Error, StringComparison.Ordinal);
    }
}
