using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Fields;
using Tagflow.Tags;

namespace Tagflow.Cli;

/// <summary><c>tagflow export</c>: an account's contacts as a file, as <c>GET /export</c> writes them.</summary>
internal static class TransferCommands
{
    public static Command Export()
    {
        var account = new Option<string>("--account") { Description = "The account whose contacts to export (its username).", Required = true };
        var format = new Option<string>("--format") { Description = "csv (the default) or ndjson." };
        var output = new Option<string>("--output") { Description = "The file to write; stdout when left out (or -)." };
        var status = new Option<List<string>>("--status") { Description = "Only contacts of these statuses: pending, subscribed, unsubscribed (repeated or a comma list; default: all)." };
        var bounce = new Option<List<string>>("--bounce-status") { Description = "Only contacts of these bounce states: nobounce, softbounce, hardbounce, spambounce (default: all)." };
        var tag = new Option<string>("--tag") { Description = "Only contacts with this tag, by id or name ('tagflow tags list' lists them)." };
        var delimiter = new Option<string>("--delimiter") { Description = "Between CSV cells: , (the default), ; or tab." };
        var tagSeparator = new Option<string>("--tag-separator") { Description = $"Between tag names in a CSV cell: one character (default {TransferColumns.DefaultTagSeparator})." };
        var command = new Command("export", "Write an account's contacts as CSV or NDJSON (as GET /export does), and a summary on stderr.")
        {
            account, format, output, status, bounce, tag, delimiter, tagSeparator,
        };
        command.SetAction((parse, ct) => AdminCommands.RunAsync(parse, async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            var found = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(account)!, ct);
            var (parsed, refusal) = ExportOptions.Parse(parse.GetValue(format), parse.GetValue(status), parse.GetValue(bounce), parse.GetValue(delimiter), parse.GetValue(tagSeparator));
            if (refusal is not null) throw AdminCommands.Refused(refusal);
            var options = parsed! with { TagId = parse.GetValue(tag) is { } t ? await TagIdAsync(db, found, t, ct) : null };
            if (await ContactExport.CheckAsync(db, found.Id, options, ct) is { } problem) throw AdminCommands.Refused(problem);

            var export = new ContactExport(db, found.Id, options, await FieldCatalog.LoadAsync(db, found.Id, ct), Principal.Zone(found.TimeZone));
            var file = parse.GetValue(output) is { Length: > 0 } path && path != "-" ? path : null;
            var count = file is null ? await ToStdoutAsync(export, parse.InvocationConfiguration.Output, ct) : await ToFileAsync(export, file, ct);
            var contacts = count == 1 ? "1 contact" : $"{count.ToString(CultureInfo.InvariantCulture)} contacts";
            await parse.InvocationConfiguration.Error.WriteSafeLineAsync($"Exported {contacts} to {file ?? "stdout"}.");
            return null;
        }, ct));
        return command;
    }

    /// <summary>The account's tag that <paramref name="idOrName"/> names: its id if the account has a tag of that id, else its name (in any case).</summary>
    private static async Task<long> TagIdAsync(TagflowDb db, Account account, string idOrName, CancellationToken cancellationToken)
    {
        var tags = db.Tags.AsNoTracking().Where(t => t.AccountId == account.Id);
        if (long.TryParse(idOrName, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && await tags.AnyAsync(t => t.Id == id, cancellationToken))
            return id;
        var name = Tag.Normalize(idOrName);
        return await tags.Where(t => t.NormalizedName == name).Select(t => (long?)t.Id).SingleOrDefaultAsync(cancellationToken)
            ?? throw new AdminException($"The account '{account.Username}' has no tag '{idOrName}': 'tagflow tags list {account.Username}' lists them.");
    }

    /// <summary>Writes the file anew; a file the export could not finish is removed, so that no cut file looks like a whole one.</summary>
    private static async Task<long> ToFileAsync(ContactExport export, string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true);
        try
        {
            await using (stream)
                return await export.WriteAsync((page, ct) => stream.WriteAsync(page, ct).AsTask(), cancellationToken);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Into a pipe or a file, the bytes as they are. On a terminal, control characters are shown escaped
    /// as every command's output is (<see cref="TerminalText"/>): a value must not drive the terminal.
    /// </summary>
    private static Task<long> ToStdoutAsync(ContactExport export, TextWriter output, CancellationToken cancellationToken)
    {
        var console = ReferenceEquals(output, Console.Out);
        if (console && Console.IsOutputRedirected)
        {
            var stdout = Console.OpenStandardOutput();
            return export.WriteAsync(async (page, ct) =>
            {
                await stdout.WriteAsync(page, ct);
                await stdout.FlushAsync(ct);
            }, cancellationToken);
        }
        return export.WriteAsync(async (page, ct) =>
        {
            var text = Encoding.UTF8.GetString(page.Span);
            await output.WriteAsync((console ? TerminalText.Safe(text) : text).AsMemory(), ct);
            await output.FlushAsync(ct);
        }, cancellationToken);
    }
}
