using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Fields;
using Tagflow.OptIns;
using Tagflow.Tags;
using Source = Tagflow.Client;

namespace Tagflow.Contacts;

/// <summary>
/// What a migration found and made in the target account, and how the source's ids translate into
/// it: data fields by key, opt-in processes by id, manual tags by id (to their names).
/// </summary>
internal sealed class MigrationMap(long accountId)
{
    public long AccountId { get; } = accountId;
    /// <summary>The zone the source writes its times in, as the client reads them.</summary>
    public string SourceTimeZone { get; set; } = "";
    /// <summary>Source field key → the target's field.</summary>
    public Dictionary<string, FieldDefinition> Fields { get; } = new(StringComparer.Ordinal);
    /// <summary>Source process id → target process id.</summary>
    public Dictionary<long, long> Processes { get; } = [];
    public long TargetPredefinedProcess { get; set; }
    /// <summary>Source manual tag id → the name it has in the target; null for a tag that cannot come across.</summary>
    public Dictionary<long, string?> Tags { get; } = [];
    public (int Created, int Reused) FieldCounts { get; set; }
    public (int Created, int Reused) ProcessCounts { get; set; }
    public (int Created, int Reused) TagCounts { get; set; }
    public long ContactsRead { get; set; }
    /// <summary>Sentences for the operator: what could not come across as it was, and why.</summary>
    public List<string> Warnings { get; } = [];
}

/// <summary>
/// Moves an account from a KlickTipp-compatible server (read through Tagflow.Client) into a Tagflow
/// account: its data fields, opt-in processes and manual tags are created here by the rules of the
/// admin services when the account has none of that name, and its contacts are written into an
/// NDJSON file for <see cref="ContactImports"/>, under this account's field keys, process ids and
/// tag names. Every step finds what an earlier run made, so a migration run again ends in the same state.
/// </summary>
internal sealed partial class AccountMigration(TagflowDb db, FieldAdmin fields, OptInProcessAdmin processes, TagAdmin tags, TagflowSettings settings)
{
    /// <summary>The zone the client assumes when the source does not name one (KlickTipp's).</summary>
    private const string AssumedZone = "Europe/Berlin";

    /// <summary>Reads the source account and copies its data fields, opt-in processes and manual tags; answers how ids translate.</summary>
    public async Task<MigrationMap> CopyReferenceDataAsync(Source.KlickTippClient source, Source.Account sourceAccount, long accountId, CancellationToken cancellationToken)
    {
        var map = new MigrationMap(accountId);
        // The client reads the contacts' times in the account's zone when the source names one, else in KlickTipp's.
        map.SourceTimeZone = sourceAccount.Values.GetValueOrDefault("timezone") is { Length: > 0 } zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found)
            ? found.Id
            : AssumedZone + " (the source names no zone of its own)";
        await CopyFieldsAsync(source, map, cancellationToken);
        await CopyProcessesAsync(source, map, cancellationToken);
        await CopyTagsAsync(source, map, cancellationToken);
        return map;
    }

    private async Task CopyFieldsAsync(Source.KlickTippClient source, MigrationMap map, CancellationToken cancellationToken)
    {
        var known = (await FieldCatalog.LoadAsync(db, map.AccountId, cancellationToken)).All.ToDictionary(f => DataField.Normalize(f.Label), StringComparer.Ordinal);
        var (created, reused, untyped) = (0, 0, 0);
        foreach (var (key, label) in await source.Fields.ListAsync(cancellationToken))
        {
            // The standard fields have the same keys everywhere, whatever a server calls them.
            if (StandardFields.All.FirstOrDefault(f => f.Key == key) is { } standard)
            {
                map.Fields[key] = standard;
                continue;
            }
            var name = label.Trim();
            var sourceType = (await source.Fields.GetAsync(key, cancellationToken)).Type;
            var type = sourceType is { } t && Enum.TryParse<FieldType>(t.ToString(), out var same) ? same : FieldType.Paragraph;
            if (known.GetValueOrDefault(DataField.Normalize(name)) is { } existing)
            {
                reused++;
                map.Fields[key] = existing;
                if (sourceType is not null && existing.Type != type)
                    map.Warnings.Add($"The data field \"{name}\" is {TypeName(type)} in the source and {TypeName(existing.Type)} here: its values go in where they fit {TypeName(existing.Type)}.");
                continue;
            }
            var (field, refusal) = await fields.AddAsync(map.AccountId, name, type, cancellationToken);
            if (refusal is not null)
            {
                map.Warnings.Add($"The data field \"{name}\" ({key}) cannot be created here, so its values stay behind: {refusal.Message}");
                continue;
            }
            created++;
            untyped += sourceType is null ? 1 : 0;
            map.Fields[key] = known[field!.NormalizedName] = new FieldDefinition(field.Key, field.Name, field.Type);
        }
        if (untyped > 0)
            map.Warnings.Add($"The source does not say the type of its data fields (KlickTipp's API has none), so {untyped} were created as paragraph text. "
                + "To give a field another type, create it here first (POST /field with its type): a field of the same name is reused.");
        map.FieldCounts = (created, reused);
    }

    private async Task CopyProcessesAsync(Source.KlickTippClient source, MigrationMap map, CancellationToken cancellationToken)
    {
        var existing = await db.OptInProcesses.AsNoTracking().Where(p => p.AccountId == map.AccountId)
            .Select(p => new { p.Id, p.NormalizedName, p.IsPredefined, p.UseSingleOptIn }).ToListAsync(cancellationToken);
        map.TargetPredefinedProcess = existing.Single(p => p.IsPredefined).Id;
        var (created, reused) = (0, 0);
        foreach (var (id, name) in await source.OptInProcesses.ListAsync(cancellationToken))
        {
            // The predefined process has no name, on KlickTipp as here: it becomes this account's own.
            if (name.Trim().Length == 0)
            {
                map.Processes[id] = map.TargetPredefinedProcess;
                continue;
            }
            var process = await source.OptInProcesses.GetAsync(id, cancellationToken);
            if (existing.FirstOrDefault(p => p.NormalizedName == OptInProcess.Normalize(name)) is { } same)
            {
                reused++;
                map.Processes[id] = same.Id;
                if (same.UseSingleOptIn != process.UsesSingleOptIn)
                    map.Warnings.Add($"The opt-in process \"{name.Trim()}\" is {OptInKind(process.UsesSingleOptIn)} in the source and {OptInKind(same.UseSingleOptIn)} here; it is left as it is.");
                continue;
            }
            var email = await ConfirmationEmailAsync(source, id, cancellationToken);
            var basic = new ProcessSettings(name, process.UsesSingleOptIn, process.PendingUrl, process.ThankYouUrl, process.ResendsConfirmationEmail, process.UsesChangeEmail);
            var settings = email is null ? basic : basic with
            {
                SenderName = email.SenderName,
                SenderAddress = email.SenderAddress,
                Subject = Placeholders(email.Subject, map),
                Text = Placeholders(email.Text, map),
                Html = Placeholders(email.Html, map),
            };
            var (made, refusal) = await processes.AddAsync(map.AccountId, settings, cancellationToken);
            if (refusal is not null && email is not null)
            {
                map.Warnings.Add($"The confirmation email of the opt-in process \"{name.Trim()}\" cannot be copied ({refusal.Message}); it gets Tagflow's own email.");
                (made, refusal) = await processes.AddAsync(map.AccountId, basic, cancellationToken);
            }
            if (refusal is not null) throw new MigrationException($"The opt-in process \"{name.Trim()}\" cannot be created here: {refusal.Message}");
            created++;
            map.Processes[id] = made!.Id;
            existing.Add(new { made.Id, made.NormalizedName, made.IsPredefined, made.UseSingleOptIn });
        }
        map.ProcessCounts = (created, reused);
    }

    /// <summary>A process's confirmation email where the source has Tagflow's call for it; null elsewhere (KlickTipp).</summary>
    private static async Task<Source.OptInEmail?> ConfirmationEmailAsync(Source.KlickTippClient source, long id, CancellationToken cancellationToken)
    {
        try
        {
            return await source.OptInProcesses.GetEmailAsync(id, cancellationToken);
        }
        catch (Source.KlickTippException e) when (e.Kind is Source.KlickTippErrorKind.NotFound or Source.KlickTippErrorKind.BadRequest
            or Source.KlickTippErrorKind.AccessDenied or Source.KlickTippErrorKind.UnexpectedAnswer)
        {
            return null;
        }
    }

    /// <summary>A template with the source's field keys replaced by this account's wherever it reads them (<see cref="MailTemplate.RenameVariables"/>).</summary>
    private static string Placeholders(string template, MigrationMap map) =>
        MailTemplate.RenameVariables(template, name =>
            (map.Fields.TryGetValue(name, out var field) ? field : map.Fields.FirstOrDefault(f => f.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value)?.Key);

    private async Task CopyTagsAsync(Source.KlickTippClient source, MigrationMap map, CancellationToken cancellationToken)
    {
        var existing = (await tags.ListAsync(map.AccountId, cancellationToken)).ToDictionary(t => t.NormalizedName, StringComparer.Ordinal);
        var (created, reused) = (0, 0);
        foreach (var (id, name) in await source.Tags.ListAsync(cancellationToken))
        {
            if (existing.TryGetValue(Tag.Normalize(name), out var same))
            {
                if (same.Kind == TagKind.Manual)
                {
                    reused++;
                    map.Tags[id] = same.Name;
                }
                else
                {
                    map.Tags[id] = null;
                    map.Warnings.Add($"The tag \"{name.Trim()}\" is a SmartTag here, which only the system assigns: the contacts that have it in the source do not get it.");
                }
                continue;
            }
            var text = (await source.Tags.GetAsync(id, cancellationToken)).Text;
            var (tag, refusal) = await tags.AddAsync(map.AccountId, name, text, cancellationToken);
            if (refusal is not null)
            {
                map.Tags[id] = null;
                map.Warnings.Add($"The tag \"{name.Trim()}\" cannot be created here, so no contact gets it: {refusal.Message}");
                continue;
            }
            created++;
            map.Tags[id] = (existing[tag!.NormalizedName] = tag).Name;
        }
        map.TagCounts = (created, reused);
    }

    private static string TypeName(FieldType type) => type.ToString().ToLowerInvariant();

    private static string OptInKind(bool single) => single ? "single opt-in" : "double opt-in";
}

/// <summary>The migration cannot go on; the message says why and what to do.</summary>
internal sealed class MigrationException(string message) : Exception(message);
