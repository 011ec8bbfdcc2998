using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;

namespace Tagflow.Cli;

/// <summary><c>tagflow import</c>: a contact file into an account, with the rules and the report of <c>POST /import</c>.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The CSV or NDJSON file (.ndjson and .jsonl are read as NDJSON)." };
        var account = new Option<string>("--account") { Description = "The username of the account to import into.", Required = true };
        var format = new Option<string?>("--format") { Description = "csv or ndjson (default: from the file's extension, else csv)." };
        var delimiter = new Option<string?>("--delimiter") { Description = "The CSV delimiter: , ; tab or | (default: detected from the header line)." };
        var tagSeparator = new Option<string?>("--tag-separator") { Description = "Between tag names in the tags column (default |)." };
        var list = new Option<long?>("--list") { Description = "The opt-in process of rows without a listid (default: the predefined one)." };
        var existing = new Option<string?>("--existing") { Description = "What happens to addresses the account has: update (default) or skip." };
        var noAutomations = new Option<bool>("--no-automations") { Description = "Start no campaign and call no webhook for what the import changes." };
        var ignoreUnknown = new Option<bool>("--ignore-unknown-columns") { Description = "Leave out columns that name nothing Tagflow knows, instead of refusing the file." };
        var report = new Option<FileInfo?>("--report") { Description = "Where to write the refused rows as CSV (default: FILE.refused.csv, only when rows are refused)." };
        var command = new Command("import", "Import a contact file into an account, with status, consent, fields and tags; sends no confirmation email.")
        {
            file, account, format, delimiter, tagSeparator, list, existing, noAutomations, ignoreUnknown, report,
        };
        command.SetAction((parse, cancellationToken) => AdminCommands.RunAsync(parse, async sp =>
        {
            var path = parse.GetValue(file)!.FullName;
            var query = new Dictionary<string, string?>
            {
                ["format"] = parse.GetValue(format),
                ["delimiter"] = parse.GetValue(delimiter),
                ["tagSeparator"] = parse.GetValue(tagSeparator),
                ["listid"] = parse.GetValue(list)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["existing"] = parse.GetValue(existing),
                ["automations"] = parse.GetValue(noAutomations) ? "false" : null,
                ["ignoreUnknownColumns"] = parse.GetValue(ignoreUnknown) ? "true" : null,
            };
            var (options, error) = ImportOptions.Parse(name => query.GetValueOrDefault(name), null, path);
            if (options is null) throw new AdminException(error!);
            if (!File.Exists(path)) throw new AdminException($"There is no file {path}.");

            var accountId = (await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(account)!, cancellationToken)).Id;
            var imports = sp.GetRequiredService<ContactImports>();
            var job = await ImportRunner.StartAsync(imports, accountId, path, ownsFile: false, Path.GetFileName(path), options, cancellationToken);
            ImportJob done;
            using (var interruption = new Interruption(cancellationToken))
            {
                try
                {
                    done = await ImportRunner.RunImportAsync(imports, job, parse.InvocationConfiguration.Error, interruption.Token);
                }
                catch (OperationCanceledException) when (interruption.Happened)
                {
                    throw new AdminException($"Import {job.Id} interrupted: the rows imported so far stay; import the file again to go on (rows already imported stay as they are).");
                }
            }
            var reportPath = parse.GetValue(report)?.FullName ?? path + ".refused.csv";
            var summary = $"Import {job.Id} of {Path.GetFileName(path)}: "
                + await ImportRunner.SummaryAsync(sp.GetRequiredService<TagflowDb>(), done, reportPath, cancellationToken);
            return done.State == ImportState.Done ? summary : throw new AdminException(summary);
        }, cancellationToken));
        return command;
    }
}
