using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Fields;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.OptIns;

/// <summary>Creating, listing, disabling and deleting an account's listbuilding keys, and choosing their forms' fields; for the API, the command line and the app.</summary>
internal sealed class ListbuildingAdmin(TagflowDb db, TimeProvider clock)
{
    private const int MaxNameLength = 250;
    /// <summary>More than a sign-up form needs; keeps the stored list within its column.</summary>
    public const int MaxFormFields = 40;

    /// <summary>Creates a key for a process of the account (and optionally a manual tag); answers it with its secret, shown only now.</summary>
    public async Task<(ListbuildingKey? Key, string Secret, Refusal? Refusal)> AddAsync(long accountId, string? name, long? listId, long? tagId, CancellationToken cancellationToken)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name)) return (null, "", new("The key \"name\" is required: the name of the new listbuilding key, e.g. the form it is for."));
        if (name.Length > MaxNameLength) return (null, "", new($"The key \"name\" may have at most {MaxNameLength} characters."));
        if (WireText.LineProblem("name", name) is { } line) return (null, "", new(line));
        if (listId is not { } list) return (null, "", new("The key \"listid\" is required: the opt-in process contacts sign in through."));
        if (!await db.OptInProcesses.AnyAsync(p => p.Id == list && p.AccountId == accountId, cancellationToken))
            return (null, "", new($"There is no opt-in process {list} in the account.", WireErrors.OptInProcessNotFound));
        if (tagId is { } tag)
        {
            var kind = await db.Tags.Where(t => t.Id == tag && t.AccountId == accountId).Select(t => (TagKind?)t.Kind).SingleOrDefaultAsync(cancellationToken);
            if (kind is null) return (null, "", new($"There is no tag {tag} in the account.", WireErrors.TagNotFound));
            if (kind != TagKind.Manual) return (null, "", new("A listbuilding key assigns a manual tag; SmartTags are assigned by the system.", WireErrors.SmartTag));
        }
        var secret = Secrets.NewToken(16);
        var key = new ListbuildingKey
        {
            AccountId = accountId, Name = name, KeyHash = Secrets.LookupHash(secret), KeyPrefix = secret[..6],
            ListId = list, TagId = tagId, CreatedAt = clock.GetUtcNow().UtcDateTime,
            FormToken = Secrets.NewToken(16),
        };
        db.ListbuildingKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret, null);
    }

    public Task<List<ListbuildingKey>> ListAsync(long accountId, CancellationToken cancellationToken) =>
        db.ListbuildingKeys.AsNoTracking().Where(k => k.AccountId == accountId).OrderBy(k => k.Id).ToListAsync(cancellationToken);

    /// <summary>The account's key <paramref name="id"/>; null for another account's, as for one that does not exist.</summary>
    public Task<ListbuildingKey?> FindAsync(long accountId, long id, CancellationToken cancellationToken) =>
        db.ListbuildingKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == id && k.AccountId == accountId, cancellationToken);

    /// <summary>Disables or enables a key (its calls and its form); false if the account has no such key. Disabling again keeps the first time.</summary>
    public async Task<bool> SetEnabledAsync(long accountId, long id, bool enabled, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var keys = db.ListbuildingKeys.Where(k => k.Id == id && k.AccountId == accountId);
        return enabled
            ? await keys.ExecuteUpdateAsync(s => s.SetProperty(k => k.DisabledAt, (DateTime?)null), cancellationToken) > 0
            : await keys.ExecuteUpdateAsync(s => s.SetProperty(k => k.DisabledAt, k => k.DisabledAt ?? now), cancellationToken) > 0;
    }

    /// <summary>
    /// Chooses what the key's form asks for besides the email address: data fields of the account
    /// (by key, in the given order, each once) and whether an SMS number. A refusal names the first
    /// field the account does not have; a null key means the account has no such listbuilding key.
    /// </summary>
    public async Task<(ListbuildingKey? Key, Refusal? Refusal)> SetFormAsync(long accountId, long id, IReadOnlyList<string> fieldKeys, bool asksSms,
        CancellationToken cancellationToken)
    {
        var catalog = await FieldCatalog.LoadAsync(db, accountId, cancellationToken);
        var keys = new List<string>();
        foreach (var requested in fieldKeys)
        {
            if (catalog.Find(requested.Trim()) is not { } field || !requested.Trim().StartsWith("field", StringComparison.OrdinalIgnoreCase))
                return (null, new($"There is no data field \"{WireText.Echo(requested)}\" in the account."));
            if (!keys.Contains(field.Key, StringComparer.Ordinal)) keys.Add(field.Key);
        }
        if (keys.Count > MaxFormFields) return (null, new($"A form asks for at most {MaxFormFields} data fields."));
        var key = await db.ListbuildingKeys.SingleOrDefaultAsync(k => k.Id == id && k.AccountId == accountId, cancellationToken);
        if (key is null) return (null, null);
        (key.FormFields, key.FormAsksSms) = (string.Join(',', keys), asksSms);
        await db.SaveChangesAsync(cancellationToken);
        return (key, null);
    }

    /// <summary>Deletes a key; false if the account has no such key. Contacts keep its SmartTag.</summary>
    public async Task<bool> RemoveAsync(long accountId, long id, CancellationToken cancellationToken) =>
        await db.ListbuildingKeys.Where(k => k.Id == id && k.AccountId == accountId).ExecuteDeleteAsync(cancellationToken) > 0;
}
