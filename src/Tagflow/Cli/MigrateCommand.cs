using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Source = Tagflow.Client;

namespace Tagflow.Cli;

/// <summary>
/// <c>tagflow migrate</c>: the schema, created or brought up to date; with <c>--from</c>, also a whole
/// account moved in from a KlickTipp-compatible server (<see cref="AccountMigration"/>, then an import).
/// </summary>
internal static class MigrateCommand
{
    private const string PasswordVariable = "TAGFLOW_MIGRATE_PASSWORD";
    private const string DeveloperKeyVariable = "TAGFLOW_MIGRATE_DEVELOPER_KEY";
    private const string CustomerKeyVariable = "TAGFLOW_MIGRATE_CUSTOMER_KEY";

    public static Command Create()
    {
        var from = new Option<string?>("--from") { Description = "Move an account in from this KlickTipp-compatible API (https://api.klicktipp.com, or another Tagflow server)." };
        var user = new Option<string?>("--user") { Description = "The source account's username." };
        // Secrets are read from the environment in the action, not as defaults: help would print a default.
        var password = new Option<string?>("--password") { Description = $"The source account's password (session login). Env: {PasswordVariable}." };
        var developerKey = new Option<string?>("--developer-key") { Description = $"The developer key of an integration the source account granted access to (with --customer-key). Env: {DeveloperKeyVariable}." };
        var customerKey = new Option<string?>("--customer-key") { Description = $"The source account's customer key for that developer key. Env: {CustomerKeyVariable}." };
        var account = new Option<string?>("--account") { Description = "The username of the Tagflow account to move into." };
        var existing = new Option<string?>("--existing") { Description = "What happens to addresses the account has: update (default) or skip." };
        var noAutomations = new Option<bool>("--no-automations") { Description = "Start no campaign and call no webhook for what the migration changes." };
        var report = new Option<FileInfo?>("--report") { Description = "Where to write the contacts the import refused, as CSV (default: tagflow-migrate-ACCOUNT-refused.csv here, only when some are)." };
        var command = new Command("migrate",
            "Create the schema or bring it up to date, then exit. With --from, then move an account in: its data fields, opt-in processes, "
            + "manual tags and every contact with its status, consent, field values and tags (no email is sent). A migration that stopped "
            + "part way is finished by running the same command again: what came across already is found and left as it is.")
        {
            from, user, password, developerKey, customerKey, account, existing, noAutomations, report,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(from) is not { } source)
            {
                Option[] needFrom = [user, password, developerKey, customerKey, account, existing, noAutomations, report];
                return needFrom.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } stray
                    ? AdminCommands.RunAsync(parse, _ => throw new AdminException($"{stray.Name} belongs to a migration from another server: give --from too."), cancellationToken)
                    : AdminCommands.RunAsync(parse, _ => Task.FromResult<string?>(null), cancellationToken);
            }
            return AdminCommands.RunAsync(parse, async sp =>
            {
                var request = new Request(
                    SourceAddress(source),
                    parse.GetValue(user) ?? throw new AdminException("--user is required with --from: the source account's username."),
                    Credentials(parse.GetValue(user)!, parse.GetValue(password), parse.GetValue(developerKey), parse.GetValue(customerKey)),
                    parse.GetValue(account) ?? throw new AdminException("--account is required with --from: the Tagflow account to move into."),
                    ImportChoices(parse.GetValue(existing), parse.GetValue(noAutomations)),
                    parse.GetValue(report)?.FullName);
                return await MigrateAsync(sp, request, parse.InvocationConfiguration.Error, cancellationToken);
            }, cancellationToken);
        });
        return command;
    }

    private sealed record Request(Uri From, string User, Source.KlickTippCredentials Credentials, string Account, ImportOptions Options, string? ReportPath);

    private static async Task<string> MigrateAsync(IServiceProvider sp, Request request, TextWriter error, CancellationToken cancellationToken)
    {
        using var interruption = new Interruption(cancellationToken);
        try
        {
            return await MoveAsync(sp, request, error, interruption.Token);
        }
        catch (OperationCanceledException) when (interruption.Happened)
        {
            throw new AdminException("Interrupted. What came across so far stays; run the same command again to go on.");
        }
    }

    private static async Task<string> MoveAsync(IServiceProvider sp, Request request, TextWriter error, CancellationToken cancellationToken)
    {
        var target = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(request.Account, cancellationToken);
        using var source = new Source.KlickTippClient(new Source.KlickTippClientOptions { BaseAddress = request.From, Credentials = request.Credentials });
        Source.Account sourceAccount;
        try
        {
            sourceAccount = await source.Account.GetAsync(cancellationToken);
        }
        catch (Source.KlickTippException e)
        {
            throw new AdminException(e.Kind switch
            {
                Source.KlickTippErrorKind.WrongLogin or Source.KlickTippErrorKind.AccessDenied =>
                    $"{request.From} refused the credentials of \"{request.User}\" ({e.UserMessage}): check --user and the password or keys. Nothing was changed.",
                _ => $"Cannot read the account \"{request.User}\" at {request.From}: {e.Message} Nothing was changed.",
            });
        }

        var migration = sp.GetRequiredService<AccountMigration>();
        try
        {
            var map = await migration.CopyReferenceDataAsync(source, sourceAccount, target.Id, cancellationToken);
            var ids = await AccountMigration.ContactIdsAsync(source, cancellationToken);
            var path = "";
            await ImportRunner.RunAsync(error, ids.Count, async report => path = await migration.WriteContactsAsync(source, map, ids, report, cancellationToken));
            foreach (var warning in map.Warnings) await error.WriteSafeLineAsync($"tagflow: warning: {warning}");

            var imports = sp.GetRequiredService<ContactImports>();
            var job = await ImportRunner.StartAsync(imports, target.Id, path, ownsFile: true, $"migration from {request.From.Host}", request.Options, cancellationToken);
            var done = await ImportRunner.RunImportAsync(imports, job, error, cancellationToken);
            var reportPath = request.ReportPath ?? Path.GetFullPath($"tagflow-migrate-{target.Username}-refused.csv");
            var imported = await ImportRunner.SummaryAsync(sp.GetRequiredService<TagflowDb>(), done, reportPath, cancellationToken);
            var summary = string.Join(Environment.NewLine,
                $"Moved \"{request.User}\" of {request.From} into \"{target.Username}\"; the source's times were read in {map.SourceTimeZone}.",
                $"Data fields: {Counts(map.FieldCounts)}. Opt-in processes: {Counts(map.ProcessCounts)} (the predefined one is this account's own). Tags: {Counts(map.TagCounts)}.",
                $"Contacts: {map.ContactsRead} read; import {job.Id}: {imported}");
            return done.State == ImportState.Done ? summary : throw new AdminException(summary);
        }
        catch (Source.KlickTippException e)
        {
            throw new AdminException($"Reading {request.From} stopped: {e.Message} What came across so far stays; run the same command again to go on.");
        }
        catch (MigrationException e)
        {
            throw new AdminException(e.Message);
        }
        finally
        {
            await LogOutAsync(source);
        }
    }

    private static string Counts((int Created, int Reused) counts) => $"{counts.Created} created, {counts.Reused} reused";

    /// <summary>Ends a session login at the source; a source that cannot be reached any more keeps it until it expires.</summary>
    private static async Task LogOutAsync(Source.KlickTippClient source)
    {
        try
        {
            await source.Account.LogoutAsync(CancellationToken.None);
        }
        catch (Source.KlickTippException)
        {
            // nothing to do about it here
        }
    }

    private static Uri SourceAddress(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new AdminException($"--from '{text}' is not an http:// or https:// address (for KlickTipp: https://api.klicktipp.com).");

    /// <summary>The password, or the developer and customer keys, each from its option or else its environment variable.</summary>
    private static Source.KlickTippCredentials Credentials(string user, string? password, string? developerKey, string? customerKey)
    {
        password ??= TagflowCommand.Env(PasswordVariable);
        developerKey ??= TagflowCommand.Env(DeveloperKeyVariable);
        customerKey ??= TagflowCommand.Env(CustomerKeyVariable);
        if (password is not null && (developerKey ?? customerKey) is null) return Source.KlickTippCredentials.Session(user, password);
        if (password is null && developerKey is not null && customerKey is not null)
        {
            try
            {
                return Source.KlickTippCredentials.Partner(user, developerKey, customerKey);
            }
            catch (ArgumentException)
            {
                throw new AdminException("--developer-key must be hexadecimal, as issued (64 characters 0-9, a-f).");
            }
        }
        throw new AdminException(password is not null
            ? "Give the source's password or its developer and customer keys, not both."
            : $"Give the source's --password, or its --developer-key and --customer-key (or {PasswordVariable}, or {DeveloperKeyVariable} and {CustomerKeyVariable}).");
    }

    private static ImportOptions ImportChoices(string? existing, bool noAutomations)
    {
        var (options, error) = Contacts.ImportOptions.Parse(name => name switch
        {
            "existing" => existing,
            "automations" => noAutomations ? "false" : null,
            _ => null,
        }, null);
        return options is null ? throw new AdminException(error!) : options with { Format = "ndjson" };
    }
}
