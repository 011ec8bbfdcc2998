using System.CommandLine;
using Tagflow.Cli;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

internal sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs the <c>tagflow</c> command line through its entry point, as a user's shell would.</summary>
internal static class AdminCli
{
    /// <summary>
    /// Test classes that run the command line share this collection, so they run one at a time:
    /// the process has one command tree, and its actions run migrations on their own databases.
    /// </summary>
    public const string Collection = "tagflow command line";

    /// <summary>Runs <paramref name="args"/> against the database, with the key file a test server on it uses.</summary>
    public static Task<CliResult> RunAsync(TestDatabase database, params string[] args) =>
        RunRawAsync([.. args, "--db", database.DbArgument, "--key-file", KeyFile(database)]);

    public static string KeyFile(TestDatabase database) => Path.Combine(database.Directory, "tagflow.key");

    public static async Task<CliResult> RunRawAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await TagflowCommand.RunAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
