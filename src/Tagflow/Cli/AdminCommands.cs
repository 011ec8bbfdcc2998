using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Accounts;
using Tagflow.Blocklist;
using Tagflow.Data;
using Tagflow.OptIns;

namespace Tagflow.Cli;

/// <summary>
/// Admin commands: each prints only the value it created on stdout, errors on stderr, and exits
/// non-zero on error. They may run while a server uses the same database.
/// </summary>
internal static class AdminCommands
{
    public static Command Accounts()
    {
        var username = new Argument<string>("USERNAME");
        var password = new Option<string>("--password") { Description = "At least 8 characters.", Required = true };
        var email = new Option<string>("--email") { Description = "The account's email address.", DefaultValueFactory = _ => "" };
        var plan = new Option<string>("--plan") { Description = "API access needs premium or higher.", DefaultValueFactory = _ => "premium" };
        plan.AcceptOnlyFromAmong("standard", "premium", "deluxe", "enterprise");
        var timeZone = new Option<string>("--timezone") { Description = "IANA time zone for dates on the wire.", DefaultValueFactory = _ => "Europe/Berlin" };

        var add = new Command("add", "Create an account; prints its id.") { username, password, email, plan, timeZone };
        add.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            var account = await sp.GetRequiredService<AccountAdmin>().AddAccountAsync(
                parse.GetValue(username)!, parse.GetValue(password)!, parse.GetValue(email)!,
                Enum.Parse<Plan>(parse.GetValue(plan)!, ignoreCase: true), parse.GetValue(timeZone)!, ct);
            return account.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }, ct));
        return new Command("accounts", "Manage accounts.") { add };
    }

    public static Command Developers()
    {
        var name = new Argument<string>("NAME");
        var add = new Command("add", "Register a developer (an integration); prints its developer key.") { name };
        add.SetAction((parse, ct) => RunAsync(parse,
            sp => sp.GetRequiredService<AccountAdmin>().AddDeveloperAsync(parse.GetValue(name)!, ct)!, ct));
        return new Command("developers", "Manage developers.") { add };
    }

    public static Command Keys()
    {
        var username = new Argument<string>("USERNAME");
        var developer = new Argument<string>("DEVELOPER") { Description = "The developer's name." };
        var grant = new Command("grant", "Grant a developer API access to an account; prints the customer key.") { username, developer };
        grant.SetAction((parse, ct) => RunAsync(parse,
            sp => sp.GetRequiredService<AccountAdmin>().GrantAsync(parse.GetValue(username)!, parse.GetValue(developer)!, ct)!, ct));

        var revokeUser = new Argument<string>("USERNAME");
        var revokeDeveloper = new Argument<string>("DEVELOPER") { Description = "The developer's name." };
        var revoke = new Command("revoke", "Revoke a developer's access; its customer key stops working at once.") { revokeUser, revokeDeveloper };
        revoke.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            await sp.GetRequiredService<AccountAdmin>().RevokeAsync(parse.GetValue(revokeUser)!, parse.GetValue(revokeDeveloper)!, ct);
            return null;
        }, ct));
        return new Command("keys", "Manage customer keys (developer access to an account).") { grant, revoke };
    }

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
            return values.Count == 0 ? null : string.Join(Environment.NewLine, values);
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
        var show = new Command("list", "List the account's listbuilding keys: id, first characters of the key, process, tag, name.") { listUser };
        show.SetAction((parse, ct) => RunAsync(parse, async sp =>
        {
            var account = await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(parse.GetValue(listUser)!, ct);
            var keys = await sp.GetRequiredService<ListbuildingAdmin>().ListAsync(account.Id, ct);
            return string.Join(Environment.NewLine, keys.Select(k => string.Create(CultureInfo.InvariantCulture,
                $"{k.Id}\t{k.KeyPrefix}…\tlist {k.ListId}\ttag {(k.TagId is { } t ? t.ToString(CultureInfo.InvariantCulture) : "-")}\t{k.Name}")));
        }, ct));
        command.Subcommands.Add(show);

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

    /// <summary>Migrates, runs one admin action in its own scope, and prints its result or its error.</summary>
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
            if (result is not null) await output.WriteLineAsync(result);
            return 0;
        }
        catch (AdminException e)
        {
            await error.WriteLineAsync($"tagflow: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The message only: a connection string or key never reaches the terminal through a stack trace.
            await error.WriteLineAsync($"tagflow: {e.GetBaseException().Message}");
            return 2;
        }
    }
}
