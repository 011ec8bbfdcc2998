using System.Diagnostics;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary>The built <c>tagflow</c> program as a process of its own, started the way an operator starts it.</summary>
internal static class ProgramProcess
{
    /// <summary>Starts <paramref name="args"/> on the database, with the key file a test server on it uses; stdout and stderr redirected.</summary>
    public static Process Start(TestDatabase database, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = database.Directory,
        };
        foreach (var arg in (string[])[typeof(Tagflow.Data.TagflowDb).Assembly.Location, .. args, "--db", database.DbArgument, "--key-file", AdminCli.KeyFile(database)])
            start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    /// <summary>Runs <paramref name="args"/> to its end (at most two minutes) and answers what it printed.</summary>
    public static async Task<CliResult> RunAsync(TestDatabase database, params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var process = Start(database, args);
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
        return new CliResult(process.ExitCode, await output, await error);
    }
}
