using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary><c>--smtp</c> / <c>TAGFLOW_SMTP</c>: anything but an smtp:// or smtps:// URL stops the server before it starts, saying what it wants.</summary>
[Collection(AdminCli.Collection)]
public sealed class SmtpOptionTests
{
    [Theory]
    [InlineData("http://mail.example.com")]
    [InlineData("mail.example.com:587")]
    [InlineData("smtp://")]
    public async Task AnSmtpValueThatIsNoSmtpUrlStopsTheServerWithTheFormItWants(string value)
    {
        await using var db = await TestDatabase.CreateAsync(Providers.Sqlite);

        var result = await AdminCli.RunAsync(db, "serve", "--urls", "http://127.0.0.1:0", "--smtp", value);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains("--smtp must look like smtp://user:password@host:587", result.Error, StringComparison.Ordinal);
    }
}
