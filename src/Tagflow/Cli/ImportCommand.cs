using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
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
            var extension = Path.GetExtension(path).ToLowerInvariant();
            var query = new Dictionary<string, string?>
            {
                ["format"] = parse.GetValue(format) ?? (extension is ".ndjson" or ".jsonl" ? "ndjson" : null),
                ["delimiter"] = parse.GetValue(delimiter),
                ["tagSeparator"] = parse.GetValue(tagSeparator),
                ["listid"] = parse.GetValue(list)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["existing"] = parse.GetValue(existing),
                ["automations"] = parse.GetValue(noAutomations) ? "false" : null,
                ["ignoreUnknownColumns"] = parse.GetValue(ignoreUnknown) ? "true" : null,
            };
            var (options, error) = ImportOptions.Parse(name => query.GetValueOrDefault(name), null);
            if (options is null) throw new AdminException(error!);
            if (!File.Exists(path)) throw new AdminException($"There is no file {path}.");

            var accountId = (await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(account)!, cancellationToken)).Id;
            var imports = sp.GetRequiredService<ContactImports>();
            ImportJob job;
            try
            {
                job = await imports.CreateAsync(accountId, path, ownsFile: false, Path.GetFileName(path), options, cancellationToken);
            }
            catch (ImportFileException e)
            {
                throw new AdminException(e.Message);
            }
            if (!await imports.ClaimAsync(job.Id, cancellationToken)) throw new AdminException("Another importer took the import first.");
            var done = await RunWithProgressAsync(imports, job, parse.InvocationConfiguration.Error, cancellationToken);

            var summary = $"Import {job.Id} of {Path.GetFileName(path)}: {done.State.ToString().ToLowerInvariant()}; {done.RowsRead} rows read, {done.Created} created, "
                + $"{done.Updated} updated, {done.Unchanged} unchanged, {done.Skipped} skipped, {done.Refused} refused.";
            if (done.Refused > 0)
            {
                var reportPath = parse.GetValue(report)?.FullName ?? path + ".refused.csv";
                await using (var writer = new StreamWriter(reportPath, append: false, new System.Text.UTF8Encoding(false)))
                    await ImportReport.WriteAsync(sp.GetRequiredService<TagflowDb>(), job.Id, writer, cancellationToken);
                summary += $" The refused rows, with their line and the reason, are in {reportPath}.";
            }
            if (done.Error is { } stopped) summary += " " + stopped;
            return done.State == ImportState.Done ? summary : throw new AdminException(summary);
        }, cancellationToken));
        return command;
    }

    /// <summary>Runs the import with a progress bar on a terminal, and a line every few seconds elsewhere.</summary>
    private static async Task<ImportJob> RunWithProgressAsync(ContactImports imports, ImportJob job, TextWriter error, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        ImportJob last = job;
        if (!console.Profile.Capabilities.Interactive || job.FileBytes == 0)
        {
            var shown = DateTime.UtcNow;
            await imports.RunAsync(job.Id, new Progress(j =>
            {
                last = j;
                if (DateTime.UtcNow - shown < TimeSpan.FromSeconds(5)) return;
                shown = DateTime.UtcNow;
                error.WriteLine($"tagflow: {j.RowsRead} rows read, {j.Created} created, {j.Updated} updated, {j.Refused} refused");
            }), cancellationToken, resumeLater: false);
            return last;
        }
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("rows", maxValue: job.FileBytes);
                await imports.RunAsync(job.Id, new Progress(j =>
                {
                    last = j;
                    var rate = j.SecondsRunning > 0 ? j.RowsRead / j.SecondsRunning : 0;
                    task.Description = $"{j.RowsRead:N0} rows ({j.Created:N0} new, {j.Updated:N0} updated, {j.Refused:N0} refused) {rate:N0}/s";
                    task.Value = Math.Min(j.BytesDone, job.FileBytes);
                }), cancellationToken, resumeLater: false);
                task.Value = job.FileBytes;
            });
        return last;
    }

    /// <summary>A progress callback run on the reporting thread at once (not posted elsewhere, as <see cref="Progress{T}"/> does).</summary>
    private sealed class Progress(Action<ImportJob> report) : IProgress<ImportJob>
    {
        public void Report(ImportJob value) => report(value);
    }
}
