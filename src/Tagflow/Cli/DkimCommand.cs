using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Delivery;

namespace Tagflow.Cli;

/// <summary><c>tagflow dkim new DOMAIN</c> and <c>tagflow dkim list</c>: the keys outgoing mail is signed with, and the DNS records to publish.</summary>
internal static class DkimCommand
{
    public static Command Create()
    {
        var domain = new Argument<string>("DOMAIN") { Description = "The domain of the From addresses to sign for, e.g. news.example.com." };
        var selector = new Option<string>("--selector")
        {
            Description = $"The key's selector, its name in DNS (default {DkimKeys.DefaultSelector}); a new selector for a new key beside the old one.",
            DefaultValueFactory = _ => DkimKeys.DefaultSelector,
        };
        var create = new Command("new", "Make a DKIM key (2048-bit RSA) for a sending domain and print the DNS TXT record to publish. "
            + "Mail from that domain is signed from the next message on; publish the record first.") { domain, selector };
        create.SetAction((parse, ct) => AdminCommands.RunAsync(parse, sp =>
        {
            var name = DomainName(parse.GetValue(domain)!, "domain");
            var label = DomainName(parse.GetValue(selector)!, "selector");
            var (path, recordName, recordValue) = DkimKeys.Create(Directory(sp), name, label);
            return Task.FromResult<string?>($"""
                Key written to {path} (keep it private; back it up with the database).
                Publish this TXT record in the DNS of {name}:

                {recordName}. IN TXT "{recordValue}"

                Check it with: dig +short TXT {recordName}
                """);
        }, ct));

        var list = new Command("list", "List the DKIM keys, each with the DNS TXT record it needs.");
        list.SetAction((parse, ct) => AdminCommands.RunAsync(parse, sp => Task.FromResult<string?>(
            string.Join('\n', DkimKeys.List(Directory(sp)).Select(k => $"{k.RecordName}. IN TXT \"{k.RecordValue}\"")) is { Length: > 0 } lines ? lines : null), ct));

        return new Command("dkim", "The DKIM keys outgoing mail is signed with (see --dkim-dir).") { create, list };
    }

    private static string Directory(IServiceProvider services)
    {
        var settings = services.GetRequiredService<TagflowSettings>();
        return settings.DkimDirectory ?? TagflowSettings.DefaultDkim(settings.Database);
    }

    /// <summary>A DNS name as a key's file and record need it: letters, digits, hyphens and dots, lower-case.</summary>
    private static string DomainName(string value, string what)
    {
        var name = value.Trim().TrimEnd('.').ToLowerInvariant();
        return name.Length is > 0 and <= 253 && name.Split('.').All(l => l.Length is > 0 and <= 63 && l.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            ? name
            : throw new AdminException($"'{value}' is not a {what} name: letters, digits, hyphens and dots only.");
    }
}
