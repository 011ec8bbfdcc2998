using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Accounts;
using Tagflow.Contacts;

namespace Tagflow.Cli;

/// <summary>Admin commands for accounts, developers and the customer keys that join them.</summary>
internal static class AccountCommands
{
    private static readonly string[] Plans = ["standard", "premium", "deluxe", "enterprise"];

    public static Command Accounts()
    {
        var command = new Command("accounts", "Manage accounts.");

        var username = new Argument<string>("USERNAME");
        var password = PasswordOption();
        var email = new Option<string>("--email") { Description = "The account's email address.", DefaultValueFactory = _ => "" };
        var plan = new Option<string>("--plan") { Description = "API access needs premium or higher.", DefaultValueFactory = _ => "premium" };
        plan.AcceptOnlyFromAmong(Plans);
        var timeZone = new Option<string>("--timezone") { Description = "IANA time zone for dates on the wire.", DefaultValueFactory = _ => "Europe/Berlin" };
        var add = new Command("add", "Create an account; prints its id.") { username, password, email, plan, timeZone };
        add.SetAction((parse, ct) => AdminCommands.RunAsync(parse, async sp =>
        {
            var account = await Admin(sp).AddAccountAsync(parse.GetValue(username)!, parse.GetValue(password)!, parse.GetValue(email)!,
                ParsePlan(parse.GetValue(plan)!), parse.GetValue(timeZone)!, ct);
            return ContactWire.Id(account.Id);
        }, ct));
        command.Subcommands.Add(add);

        var list = new Command("list", "List the accounts, one per line: id, username, plan, time zone, email.");
        list.SetAction((parse, ct) => AdminCommands.RunAsync(parse, async sp => TerminalText.Lines((await Admin(sp).ListAccountsAsync(ct))
            .Select(a => TerminalText.Line(ContactWire.Id(a.Id), a.Username, PlanName(a.Plan), a.TimeZone, a.Email))), ct));
        command.Subcommands.Add(list);

        command.Subcommands.Add(UserCommand("show", "Print an account's details, one per line (never its password or keys).", [], async (parse, sp, user, ct) =>
        {
            var (a, contacts, developers, sessions) = await Admin(sp).DescribeAsync(user, ct);
            (string, string)[] details =
            [
                ("id", ContactWire.Id(a.Id)), ("username", a.Username), ("email", a.Email), ("plan", PlanName(a.Plan)),
                ("timezone", a.TimeZone), ("firstname", a.FirstName), ("lastname", a.LastName), ("created", AdminCommands.Time(a.CreatedAt)),
                ("contacts", ContactWire.Id(contacts)), ("developers", developers.Count == 0 ? "-" : string.Join(", ", developers)),
                ("sessions", ContactWire.Id(sessions)),
            ];
            return TerminalText.Lines(details.Select(d => TerminalText.Line(d.Item1, d.Item2)));
        }));

        var newPassword = PasswordOption();
        command.Subcommands.Add(UserCommand("password", "Set an account's password; its login sessions end.", [newPassword], async (parse, sp, user, ct) =>
        {
            await Admin(sp).SetPasswordAsync(user, parse.GetValue(newPassword)!, ct);
            return null;
        }));

        var newPlan = new Argument<string>("PLAN") { Description = "standard, premium, deluxe or enterprise; API access needs premium or higher." };
        newPlan.AcceptOnlyFromAmong(Plans);
        command.Subcommands.Add(UserCommand("plan", "Change an account's plan; it applies from the next request.", [newPlan], async (parse, sp, user, ct) =>
        {
            await Admin(sp).SetPlanAsync(user, ParsePlan(parse.GetValue(newPlan)!), ct);
            return null;
        }));

        var zone = new Argument<string>("ZONE") { Description = "An IANA time zone, such as Europe/Berlin." };
        command.Subcommands.Add(UserCommand("timezone", "Change an account's time zone (for dates on the wire).", [zone], async (parse, sp, user, ct) =>
        {
            await Admin(sp).SetTimeZoneAsync(user, parse.GetValue(zone)!, ct);
            return null;
        }));

        var yes = new Option<bool>("--yes") { Description = "Required: confirms the removal, which cannot be undone." };
        command.Subcommands.Add(UserCommand("remove",
            "Delete an account with everything of it: contacts, fields, tags, processes, campaigns, webhooks, events, keys and sessions.",
            [yes], async (parse, sp, user, ct) =>
            {
                var admin = Admin(sp);
                var account = await admin.FindAccountAsync(user, ct);
                if (!parse.GetValue(yes))
                    throw new AdminException($"Removing '{account.Username}' deletes it with all its contacts, fields, tags, processes, campaigns, "
                        + "webhooks, events, keys and sessions, and cannot be undone: add --yes to remove it.");
                await admin.RemoveAccountAsync(user, ct);
                return null;
            }));
        return command;
    }

    public static Command Developers()
    {
        var command = new Command("developers", "Manage developers (the integrations that accounts grant API access to).");

        var name = new Argument<string>("NAME");
        var add = new Command("add", "Register a developer (an integration); prints its developer key.") { name };
        add.SetAction((parse, ct) => AdminCommands.RunAsync(parse, sp => Admin(sp).AddDeveloperAsync(parse.GetValue(name)!, ct)!, ct));
        command.Subcommands.Add(add);

        var list = new Command("list", "List the developers, one per line: name, created (never a key).");
        list.SetAction((parse, ct) => AdminCommands.RunAsync(parse, async sp => TerminalText.Lines((await Admin(sp).ListDevelopersAsync(ct))
            .Select(d => TerminalText.Line(d.Name, AdminCommands.Time(d.CreatedAt)))), ct));
        command.Subcommands.Add(list);

        var removeName = new Argument<string>("NAME");
        var remove = new Command("remove", "Delete a developer; every customer key made for it stops working at once.") { removeName };
        remove.SetAction((parse, ct) => AdminCommands.RunAsync(parse, async sp =>
        {
            await Admin(sp).RemoveDeveloperAsync(parse.GetValue(removeName)!, ct);
            return null;
        }, ct));
        command.Subcommands.Add(remove);
        return command;
    }

    public static Command Keys()
    {
        var username = new Argument<string>("USERNAME");
        var developer = new Argument<string>("DEVELOPER") { Description = "The developer's name." };
        var grant = new Command("grant", "Grant a developer API access to an account; prints the customer key.") { username, developer };
        grant.SetAction((parse, ct) => AdminCommands.RunAsync(parse,
            sp => Admin(sp).GrantAsync(parse.GetValue(username)!, parse.GetValue(developer)!, ct)!, ct));

        var revokeUser = new Argument<string>("USERNAME");
        var revokeDeveloper = new Argument<string>("DEVELOPER") { Description = "The developer's name." };
        var revoke = new Command("revoke", "Revoke a developer's access; its customer key stops working at once.") { revokeUser, revokeDeveloper };
        revoke.SetAction((parse, ct) => AdminCommands.RunAsync(parse, async sp =>
        {
            await Admin(sp).RevokeAsync(parse.GetValue(revokeUser)!, parse.GetValue(revokeDeveloper)!, ct);
            return null;
        }, ct));
        return new Command("keys", "Manage customer keys (developer access to an account).") { grant, revoke };
    }

    /// <summary>A subcommand whose first argument is the username, which <paramref name="action"/> gets as given.</summary>
    private static Command UserCommand(string name, string description, Symbol[] symbols,
        Func<ParseResult, IServiceProvider, string, CancellationToken, Task<string?>> action)
    {
        var username = new Argument<string>("USERNAME");
        var command = AdminCommands.UserCommand(name, description, username, symbols);
        command.SetAction((parse, ct) => AdminCommands.RunAsync(parse, sp => action(parse, sp, parse.GetValue(username)!, ct), ct));
        return command;
    }

    private static Option<string> PasswordOption() => new("--password") { Description = "At least 8 characters.", Required = true };

    private static AccountAdmin Admin(IServiceProvider services) => services.GetRequiredService<AccountAdmin>();

    private static Plan ParsePlan(string name) => Enum.Parse<Plan>(name, ignoreCase: true);

    private static string PlanName(Plan plan) => plan.ToString().ToLowerInvariant();
}
