using Spectre.Console;
using Tagflow.Contacts;
using Tagflow.Data;

namespace Tagflow.Cli;

/// <summary>
/// An import as <c>tagflow import</c> and <c>tagflow migrate</c> run it: queued and claimed at once,
/// run here with its progress on stderr (a progress bar on a terminal, a line every few seconds
/// elsewhere), and ended with a summary and the file of its refused rows.
/// </summary>
internal static class ImportRunner
{
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs <paramref name="work"/>, which reports how far it is (out of <paramref name="total"/>) and a
    /// sentence saying so: a progress bar on a terminal, a line every few seconds elsewhere (a log, a pipe).
    /// </summary>
    public static async Task RunAsync(TextWriter error, long total, Func<Action<long, string>, Task> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        // A bar only on a terminal: stderr written to a file or a pipe gets plain lines.
        if (!console.Profile.Capabilities.Interactive || !console.Profile.Out.IsTerminal || total == 0)
        {
            var shown = DateTime.UtcNow;
            await work((_, text) =>
            {
                if (DateTime.UtcNow - shown < LineInterval) return;
                shown = DateTime.UtcNow;
                error.WriteLine($"tagflow: {text}");
            });
            return;
        }
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("", maxValue: total);
                await work((value, text) =>
                {
                    task.Description = Markup.Escape(text);
                    task.Value = Math.Min(value, total);
                });
                task.Value = total;
            });
    }

    /// <summary>Queues the import of a file and claims it for this command; a file that cannot be imported is an <see cref="AdminException"/>.</summary>
    public static async Task<ImportJob> StartAsync(ContactImports imports, long accountId, string path, bool ownsFile, string fileName, ImportOptions options,
        CancellationToken cancellationToken)
    {
        ImportJob job;
        try
        {
            job = await imports.CreateAsync(accountId, path, ownsFile, fileName, options, cancellationToken);
        }
        catch (ImportFileException e)
        {
            throw new AdminException(e.Message);
        }
        return await imports.ClaimAsync(job.Id, cancellationToken) ? job : throw new AdminException("Another importer took the import first.");
    }

    /// <summary>Runs a claimed import to its end with its progress shown; a Ctrl+C ends it as interrupted. Answers the ended job.</summary>
    public static async Task<ImportJob> RunImportAsync(ContactImports imports, ImportJob job, TextWriter error, CancellationToken cancellationToken)
    {
        var last = job;
        await RunAsync(error, job.FileBytes, report => imports.RunAsync(job.Id, new Progress(j =>
        {
            last = j;
            var rate = j.SecondsRunning > 0 ? j.RowsRead / j.SecondsRunning : 0;
            report(j.BytesDone, $"{j.RowsRead:N0} rows ({j.Created:N0} new, {j.Updated:N0} updated, {j.Refused:N0} refused) {rate:N0}/s");
        }), cancellationToken, resumeLater: false));
        return last;
    }

    /// <summary>
    /// The counters of an ended import in one sentence; when it refused rows, writes them as CSV to
    /// <paramref name="reportPath"/> and says so.
    /// </summary>
    public static async Task<string> SummaryAsync(TagflowDb db, ImportJob done, string reportPath, CancellationToken cancellationToken)
    {
        var summary = $"{done.State.ToString().ToLowerInvariant()}; {done.RowsRead} rows read, {done.Created} created, "
            + $"{done.Updated} updated, {done.Unchanged} unchanged, {done.Skipped} skipped, {done.Refused} refused.";
        if (done.Refused > 0)
        {
            await using (var writer = new StreamWriter(reportPath, append: false, new System.Text.UTF8Encoding(false)))
                await ImportReport.WriteAsync(db, done.Id, writer, cancellationToken);
            summary += $" The refused rows, with their line and the reason, are in {reportPath}.";
        }
        if (done.Error is { } stopped) summary += " " + stopped;
        return summary;
    }

    /// <summary>A progress callback run on the reporting thread at once (not posted elsewhere, as <see cref="Progress{T}"/> does).</summary>
    private sealed class Progress(Action<ImportJob> report) : IProgress<ImportJob>
    {
        public void Report(ImportJob value) => report(value);
    }
}
