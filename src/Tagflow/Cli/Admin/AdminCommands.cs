using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Accounts;
using Tagflow.Blocklist;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.OptIns;
using Tagflow.Wire;

namespace Tagflow.Cli;

/// <summary>
/// Admin commands: each prints only the value it created on stdout, errors on stderr, and exits
/// non-zero on error. They may run while a server uses the same database. Here: what they share,
/// and the blocklist, opt-in process and listbuilding commands.
/// </summary>
internal static class AdminCommands
{
    public static Command Blocklist()
    {
        var command = new Command("blocklist", "Manage an account's blocked addresses and domains.");
        foreach (var (name, description) in new[] { ("add", "Block an address or a whole domain (with its subdomains)."), ("remove", "Unblock an address or a domain.") })
        {
            var username = new Argument<string>("USERNAME");
            var value = new Argument<string>("VALUE") { Description = "An email address (anna@example.com) or a domain (example.com)." };
            var sub = new Command(name, description) { username, value };
            sub.SetAction((parse, ct) => RunAsync(parse, async sp =>
            {
                var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(username)!, ct);
                var admin = sp.GetRequiredService<BlocklistAdmin>();
                var done = name == "add"
                    ? await admin.AddAsync(account.Id, parse.GetValue(value), ct)
                    : await admin.RemoveAsync(account.Id, parse.GetValue(value)!, ct);
                return done ? null
                    : throw new AdminException(name == "add"
                        ? $"'{parse.GetValue(value)}' is neither an email address nor a domain."
                        : $"'{parse.GetValue(value)}' is not on the blocklist of '{account.Username}'.");
            }, ct));
            command.Subcommands.Add(sub);
        }
        var listUser = new Argument<string>("USERNAME");
        var list = new Command("list", "Print the blocked addresses and domains, one per line.") { listUser };
        list.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(listUser)!, ct);
            var values = await sp.GetRequiredService<BlocklistAdmin>().ListAsync(account.Id, ct);
            return TerminalText.Lines(values);
        }, ct));
        command.Subcommands.Add(list);
        return command;
    }

    public static Command Lists()
    {
        var command = new Command("lists", "Manage an account's opt-in processes and their confirmation emails.");

        var addUser = new Argument<string>("USERNAME");
        var addName = new Argument<string>("NAME") { Description = "The process's name, unique in the account." };
        var addOptions = new ProcessOptions();
        var add = new Command("add", "Create an opt-in process (double opt-in unless --single-optin); prints its id.") { addUser, addName };
        addOptions.AddTo(add);
        add.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(addUser)!, ct);
            var settings = await addOptions.ReadAsync(parse, ct) with { Name = parse.GetValue(addName) };
            var (process, refusal) = await sp.GetRequiredService<OptInProcessAdmin>().AddAsync(account.Id, settings, ct);
            return refusal is null ? process!.Id.ToString(CultureInfo.InvariantCulture) : throw new AdminException(refusal.Message);
        }, ct));
        command.Subcommands.Add(add);

        var updateUser = new Argument<string>("USERNAME");
        var updateId = new Argument<long>("ID") { Description = "The process's id (GET /list lists them)." };
        var updateName = new Option<string>("--name") { Description = "A new name." };
        var updateOptions = new ProcessOptions();
        var update = new Command("update", "Change an opt-in process; options not given stay as they are.") { updateUser, updateId, updateName };
        updateOptions.AddTo(update);
        update.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(updateUser)!, ct);
            var settings = await updateOptions.ReadAsync(parse, ct) with { Name = parse.GetValue(updateName) };
            var refusal = await sp.GetRequiredService<OptInProcessAdmin>().UpdateAsync(account.Id, parse.GetValue(updateId), settings, ct);
            return refusal is null ? null : throw new AdminException(refusal.Message);
        }, ct));
        command.Subcommands.Add(update);

        var removeUser = new Argument<string>("USERNAME");
        var removeId = new Argument<long>("ID");
        var remove = new Command("remove", "Delete an opt-in process (never the predefined one); its contacts keep it as their sign-up record.") { removeUser, removeId };
        remove.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(removeUser)!, ct);
            var refusal = await sp.GetRequiredService<OptInProcessAdmin>().RemoveAsync(account.Id, parse.GetValue(removeId), ct);
            return refusal is null ? null : throw new AdminException(refusal.Message);
        }, ct));
        command.Subcommands.Add(remove);
        return command;
    }

    public static Command Listbuilding()
    {
        var command = new Command("listbuilding", "Manage an account's listbuilding API keys (for sign-up forms: POST /subscriber/signin).");

        var addUser = new Argument<string>("USERNAME");
        var addName = new Argument<string>("NAME") { Description = "What the key is for, e.g. the form; its SmartTag is \"Listbuilding: NAME\"." };
        var list = new Option<long>("--list") { Description = "The opt-in process contacts sign in through (GET /list lists them).", Required = true };
        var tag = new Option<long?>("--tag") { Description = "A manual tag assigned to every contact the key signs in." };
        var add = new Command("add", "Create a listbuilding key; prints the key, which is not shown again.") { addUser, addName, list, tag };
        add.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(addUser)!, ct);
            var (_, secret, refusal) = await sp.GetRequiredService<ListbuildingAdmin>().AddAsync(account.Id, parse.GetValue(addName), parse.GetValue(list), parse.GetValue(tag), ct);
            return refusal is null ? secret : throw new AdminException(refusal.Message);
        }, ct));
        command.Subcommands.Add(add);

        var listUser = new Argument<string>("USERNAME");
        var show = new Command("list", "List the account's listbuilding keys: id, first characters of the key, process, tag, enabled or disabled, name.") { listUser };
        show.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(listUser)!, ct);
            var keys = await sp.GetRequiredService<ListbuildingAdmin>().ListAsync(account.Id, ct);
            return TerminalText.Lines(keys.Select(k => TerminalText.Line(
                ContactWire.Id(k.Id), k.KeyPrefix + "…", "list " + ContactWire.Id(k.ListId), "tag " + (k.TagId is { } t ? ContactWire.Id(t) : "-"),
                k.DisabledAt is null ? "enabled" : "disabled", k.Name)));
        }, ct));
        command.Subcommands.Add(show);

        foreach (var (name, enable, description) in new[]
        {
            ("disable", false, "Disable a listbuilding key: its calls answer error 100 and its hosted form 404 until it is enabled."),
            ("enable", true, "Enable a disabled listbuilding key again."),
        })
        {
            var user = new Argument<string>("USERNAME");
            var id = new Argument<long>("ID");
            var toggle = new Command(name, description) { user, id };
            toggle.SetAction((parse, ct) => RunAsync(parse, async sp =>
            {
                var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(user)!, ct);
                return await sp.GetRequiredService<ListbuildingAdmin>().SetEnabledAsync(account.Id, parse.GetValue(id), enable, ct)
                    ? null : throw new AdminException($"The account has no listbuilding key {parse.GetValue(id)}.");
            }, ct));
            command.Subcommands.Add(toggle);
        }

        var removeUser = new Argument<string>("USERNAME");
        var removeId = new Argument<long>("ID");
        var remove = new Command("remove", "Delete a listbuilding key; its calls stop working at once.") { removeUser, removeId };
        remove.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(removeUser)!, ct);
            return await sp.GetRequiredService<ListbuildingAdmin>().RemoveAsync(account.Id, parse.GetValue(removeId), ct)
                ? null : throw new AdminException($"The account has no listbuilding key {parse.GetValue(removeId)}.");
        }, ct));
        command.Subcommands.Add(remove);
        return command;
    }

    /// <summary>The options of <c>lists add</c> and <c>lists update</c>; each one not given leaves its setting alone.</summary>
    private sealed class ProcessOptions
    {
        private readonly Option<bool?> _single = new("--single-optin") { Description = "Subscribe at once, without a confirmation email (true or false)." };
        private readonly Option<string> _pending = new("--pending-url") { Description = "The page while a contact waits to confirm; empty for Tagflow's own." };
        private readonly Option<string> _thanks = new("--thank-you-url") { Description = "The page once a contact has confirmed; empty for Tagflow's own." };
        private readonly Option<bool?> _resend = new("--resend-confirmation") { Description = "Send the confirmation again when a still pending contact is added again (true or false)." };
        private readonly Option<bool?> _changeEmail = new("--change-email") { Description = "A new address takes effect only once confirmed (true or false)." };
        private readonly Option<string> _senderName = new("--sender-name") { Description = "The confirmation email's sender name." };
        private readonly Option<string> _senderAddress = new("--sender-address") { Description = "The confirmation email's sender address; empty for the account's own." };
        private readonly Option<string> _subject = new("--subject") { Description = "The confirmation email's subject." };
        private readonly Option<FileInfo> _text = new("--text-file") { Description = "A file with the confirmation email's text; it must contain {{confirm_url}}." };
        private readonly Option<FileInfo> _html = new("--html-file") { Description = "A file with the confirmation email's HTML; it must contain {{confirm_url}}." };

        public void AddTo(Command command)
        {
            foreach (var option in (Option[])[_single, _pending, _thanks, _resend, _changeEmail, _senderName, _senderAddress, _subject, _text, _html])
                command.Options.Add(option);
        }

        public async Task<ProcessSettings> ReadAsync(ParseResult parse, CancellationToken cancellationToken) => new(
            UseSingleOptIn: parse.GetValue(_single),
            PendingUrl: parse.GetValue(_pending),
            ThankYouUrl: parse.GetValue(_thanks),
            ResendConfirmationEmail: parse.GetValue(_resend),
            UseChangeEmail: parse.GetValue(_changeEmail),
            SenderName: parse.GetValue(_senderName),
            SenderAddress: parse.GetValue(_senderAddress),
            Subject: parse.GetValue(_subject),
            Text: parse.GetValue(_text) is { } text ? await ReadFileAsync(text, cancellationToken) : null,
            Html: parse.GetValue(_html) is { } html ? await ReadFileAsync(html, cancellationToken) : null);

        private static async Task<string> ReadFileAsync(FileInfo file, CancellationToken cancellationToken)
        {
            try
            {
                return await File.ReadAllTextAsync(file.FullName, cancellationToken);
            }
            catch (IOException e)
            {
                throw new AdminException($"Cannot read {file.FullName}: {e.Message}");
            }
        }
    }

    /// <summary>A subcommand whose first argument is the account's username; <paramref name="action"/> gets the account's id.</summary>
    public static Command AccountCommand(string name, string description, Symbol[] symbols,
        Func<ParseResult, IServiceProvider, long, CancellationToken, Task<string?>> action)
    {
        var username = new Argument<string>("USERNAME");
        var command = UserCommand(name, description, username, symbols);
        command.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(username)!, ct);
            return await action(parse, sp, account.Id, ct);
        }, ct));
        return command;
    }

    /// <summary>A command whose first argument is a username, followed by <paramref name="symbols"/>.</summary>
    public static Command UserCommand(string name, string description, Argument<string> username, Symbol[] symbols)
    {
        var command = new Command(name, description) { username };
        foreach (var symbol in symbols)
        {
            if (symbol is Argument argument) command.Arguments.Add(argument);
            else command.Options.Add((Option)symbol);
        }
        return command;
    }

    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A refusal as a sentence, with the error number a 406 from the API would carry.</summary>
    public static AdminException Refused(Refusal refusal) => new(refusal.Error is { } error && !refusal.NotFound
        ? string.Create(CultureInfo.InvariantCulture, $"error {error}: {refusal.Message}")
        : refusal.Message);

    /// <summary>
    /// Migrates, runs one admin action in its own scope, and prints its result or its error. Both pass
    /// through <see cref="TerminalText.Safe"/>: they carry names that API clients chose.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<IServiceProvider, Task<string?>> action, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var services = new ServiceCollection().AddLogging().AddTagflowCore(TagflowCommand.Settings(parse));
            await using var provider = services.BuildServiceProvider();
            await using var scope = provider.CreateAsyncScope();
            await DatabasePreparation.PrepareAsync(scope.ServiceProvider, cancellationToken);
            var result = await action(scope.ServiceProvider);
            if (result is not null) await output.WriteSafeLineAsync(result);
            return 0;
        }
        catch (AdminException e)
        {
            await error.WriteSafeLineAsync($"tagflow: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The message only: a connection string or key never reaches the terminal through a stack trace.
            await error.WriteSafeLineAsync($"tagflow: {e.GetBaseException().Message}");
            return 2;
        }
    }
}
