using System.CommandLine;
using System.CommandLine.Invocation;
using System.Globalization;
using Tagflow.Data;

namespace Tagflow.Cli;

/// <summary>The <c>tagflow</c> command line. Plain <c>tagflow</c> serves, as <c>tagflow serve</c> does.</summary>
internal static class TagflowCommand
{
    public static readonly Option<string> Db = new("--db")
    {
        Description = "SQLite file path, or PostgreSQL connection string (Host=…;Database=…) or URL (postgres://…). Env: TAGFLOW_DB.",
        Recursive = true,
        DefaultValueFactory = _ => Env("TAGFLOW_DB") ?? DatabaseTarget.DefaultSqliteFile,
    };

    public static readonly Option<string?> KeyFile = new("--key-file")
    {
        Description = "Server key file from which developer keys are derived; created when missing. "
            + "Default: beside the SQLite file (<db>.key), or ./tagflow.key for PostgreSQL. Env: TAGFLOW_KEY_FILE.",
        Recursive = true,
        DefaultValueFactory = _ => Env("TAGFLOW_KEY_FILE"),
    };

    public static readonly Option<string?> DkimDir = new("--dkim-dir")
    {
        Description = "The folder of the DKIM keys outgoing mail is signed with (made by `tagflow dkim new`). "
            + "Default: a dkim folder beside the SQLite file, or ./dkim for PostgreSQL. Env: TAGFLOW_DKIM_DIR.",
        Recursive = true,
        DefaultValueFactory = _ => Env("TAGFLOW_DKIM_DIR"),
    };

    /// <summary>Every command takes it, as every command reads its variable: <c>webhooks add</c> must accept what the server calls.</summary>
    public static readonly Option<bool?> WebhookAllowPrivate = new("--webhook-allow-private")
    {
        Description = "Let webhooks call private, loopback and link-local addresses (a receiver on this machine or the local network); "
            + "refused by default. Env: TAGFLOW_WEBHOOK_ALLOW_PRIVATE=true.",
        Recursive = true,
    };

    private static readonly Lazy<RootCommand> Root = new(Create);

    /// <summary>Parses and runs a command line; a usage error prints its message on stderr and no help on stdout.</summary>
    public static Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        // No response files: a value beginning with @ ("@example.com", a password) is a value, not a file to read.
        var parse = Root.Value.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        // stdout carries only what a command creates, so scripts can capture it; help is one --help away.
        if (parse.Action is ParseErrorAction error) error.ShowHelp = false;
        return parse.InvokeAsync(configuration);
    }

    private static RootCommand Create()
    {
        var root = new RootCommand("Tagflow: a self-hosted, KlickTipp-compatible contact, opt-in and tag-automation server.");
        root.Options.Add(Db);
        root.Options.Add(KeyFile);
        root.Options.Add(WebhookAllowPrivate);
        root.Options.Add(DkimDir);
        ServeCommand.AddTo(root);
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(AccountCommands.Accounts());
        root.Subcommands.Add(AccountCommands.Developers());
        root.Subcommands.Add(AccountCommands.Keys());
        root.Subcommands.Add(TagCommands.Tags());
        root.Subcommands.Add(AdminCommands.Blocklist());
        root.Subcommands.Add(AdminCommands.Lists());
        root.Subcommands.Add(AdminCommands.Listbuilding());
        root.Subcommands.Add(AutomationCommands.Campaigns());
        root.Subcommands.Add(AutomationCommands.Webhooks());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(TransferCommands.Export());
        root.Subcommands.Add(DkimCommand.Create());
        return root;
    }

    /// <summary>Settings from the options every command shares.</summary>
    public static TagflowSettings Settings(ParseResult parse)
    {
        var database = DatabaseTarget.Parse(parse.GetValue(Db));
        return new TagflowSettings
        {
            Database = database,
            KeyFile = parse.GetValue(KeyFile) ?? TagflowSettings.DefaultKeyFile(database),
            DkimDirectory = parse.GetValue(DkimDir),
            // Read here, not only by the server, so that `tagflow webhooks add` accepts what the server accepts.
            WebhookAllowPrivate = parse.GetValue(WebhookAllowPrivate) ?? EnvBool("TAGFLOW_WEBHOOK_ALLOW_PRIVATE") ?? false,
        };
    }

    /// <summary>true/false (or 1/0) from the environment; anything else is an error, never quietly the default.</summary>
    public static bool? EnvBool(string name) => Env(name) switch
    {
        null => null,
        var v when bool.TryParse(v, out var parsed) => parsed,
        "1" => true,
        "0" => false,
        var v => throw new AdminException($"{name} is '{v}', which is neither true nor false."),
    };

    public static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    /// <summary>A number from the environment; a value that is not one is an error, never quietly the default.</summary>
    public static T? EnvNumber<T>(string name) where T : struct, IParsable<T> => Env(name) switch
    {
        null => null,
        var v when T.TryParse(v, CultureInfo.InvariantCulture, out var parsed) => parsed,
        var v => throw new AdminException($"{name} is '{v}', which is not a whole number."),
    };
}
