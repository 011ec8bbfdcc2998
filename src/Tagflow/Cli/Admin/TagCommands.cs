using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Contacts;
using Tagflow.Tags;

namespace Tagflow.Cli;

/// <summary>Admin commands for an account's tags, by the rules of <c>/tag</c>.</summary>
internal static class TagCommands
{
    public static Command Tags()
    {
        var command = new Command("tags", "Manage an account's tags (as /tag does).");

        var name = new Argument<string>("NAME") { Description = "The tag's name, unique in the account regardless of case." };
        var text = new Option<string>("--text") { Description = "A note on what the tag means." };
        command.Subcommands.Add(AdminCommands.AccountCommand("add", "Create a manual tag; prints its id.", [name, text], async (parse, sp, accountId, ct) =>
        {
            var (tag, refusal) = await sp.GetRequiredService<TagAdmin>().AddAsync(accountId, parse.GetValue(name), parse.GetValue(text), ct);
            return refusal is null ? ContactWire.Id(tag!.Id) : throw AdminCommands.Refused(refusal);
        }));

        command.Subcommands.Add(AdminCommands.AccountCommand("list", "List the account's tags, one per line: id, manual or smart, name.", [],
            async (parse, sp, accountId, ct) => TerminalText.Lines((await sp.GetRequiredService<TagAdmin>().ListAsync(accountId, ct))
                .Select(t => TerminalText.Line(ContactWire.Id(t.Id), t.Kind == TagKind.Manual ? "manual" : "smart", t.Name)))));

        var id = new Argument<long>("ID") { Description = "The tag's id ('tagflow tags list' lists them)." };
        command.Subcommands.Add(AdminCommands.AccountCommand("remove",
            "Delete a manual tag and untag its contacts (not a SmartTag, nor a tag that a campaign or webhook uses).", [id], async (parse, sp, accountId, ct) =>
                await sp.GetRequiredService<TagAdmin>().RemoveAsync(accountId, parse.GetValue(id), ct) is { } refusal ? throw AdminCommands.Refused(refusal) : null));
        return command;
    }
}
