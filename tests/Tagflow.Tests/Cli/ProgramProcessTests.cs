using System.Diagnostics;
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
        var program = typeof(Tagflow.Data.TagflowDb).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = db.Directory,
        };
        foreach (var arg in new[] { program, "accounts", "add", "x", "--password", "short", "--db", db.DbArgument, "--key-file", AdminCli.KeyFile(db) })
            start.ArgumentList.Add(arg);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.NotEqual(0, process.ExitCode);
        Assert.Equal("", await output);
        Assert.Contains("password", await error, StringComparison.OrdinalIgnoreCase);
    }
}
