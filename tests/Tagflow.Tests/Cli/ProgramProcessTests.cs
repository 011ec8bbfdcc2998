using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary>The built <c>tagflow</c> program, run as a separate process the way an operator runs it.</summary>
public sealed class ProgramProcessTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnAdminErrorExitsNonZeroWithAMessageOnStderrOnly(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        var result = await ProgramProcess.RunAsync(db, "accounts", "add", "x", "--password", "short");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains("password", result.Error, StringComparison.OrdinalIgnoreCase);
    }
}
