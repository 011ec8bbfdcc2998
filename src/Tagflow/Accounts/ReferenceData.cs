using System.Collections.Frozen;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Tagflow.Blocklist;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Fields;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Accounts;

/// <summary>An opt-in process as a contact request needs it, with its confirmation email.</summary>
internal sealed record ProcessChoice(long Id, bool IsPredefined, bool UseSingleOptIn, bool ResendConfirmationEmail, bool UseChangeEmail,
    string SenderName, string SenderAddress, string Subject, string TextTemplate, string HtmlTemplate);

/// <summary>
/// What an account's contact requests check against and what rarely changes: its data fields,
/// opt-in processes, tags and blocklist. Loaded once per change, not once per request (see
/// <see cref="ReferenceCache"/>).
/// </summary>
internal sealed class ReferenceData
{
    /// <summary>Above this many entries, the blocklist is asked from the database instead of held in memory.</summary>
    public const int HeldBlocklistLimit = 10_000;

    private readonly long _accountId;
    private readonly IReadOnlyList<ProcessChoice> _processes;
    private readonly FrozenDictionary<long, TagKind> _tags;
    private readonly FrozenSet<string>? _blocklist;

    private ReferenceData(long accountId, FieldCatalog fields, IReadOnlyList<ProcessChoice> processes,
        FrozenDictionary<long, TagKind> tags, FrozenSet<string>? blocklist)
    {
        (_accountId, Fields, _processes, _tags, _blocklist) = (accountId, fields, processes, tags, blocklist);
    }

    public FieldCatalog Fields { get; }

    /// <summary>How many items this holds, as the cache counts its size.</summary>
    public long Size => 1 + Fields.All.Count + _processes.Count + _tags.Count + (_blocklist?.Count ?? 0);

    public static async Task<ReferenceData> LoadAsync(TagflowDb db, long accountId, CancellationToken cancellationToken)
    {
        var fields = await FieldCatalog.LoadAsync(db, accountId, cancellationToken);
        var processes = await db.OptInProcesses.AsNoTracking().Where(p => p.AccountId == accountId)
            .Select(p => new ProcessChoice(p.Id, p.IsPredefined, p.UseSingleOptIn, p.ResendConfirmationEmail, p.UseChangeEmail, p.SenderName, p.SenderAddress, p.Subject, p.TextTemplate, p.HtmlTemplate))
            .ToListAsync(cancellationToken);
        var tags = await db.Tags.AsNoTracking().Where(t => t.AccountId == accountId)
            .Select(t => new { t.Id, t.Kind }).ToDictionaryAsync(t => t.Id, t => t.Kind, cancellationToken);
        var blocked = await db.Blocklist.AsNoTracking().Where(b => b.AccountId == accountId)
            .OrderBy(b => b.Id).Select(b => b.Value).Take(HeldBlocklistLimit + 1).ToListAsync(cancellationToken);
        return new ReferenceData(accountId, fields, processes, tags.ToFrozenDictionary(),
            blocked.Count > HeldBlocklistLimit ? null : blocked.ToFrozenSet(StringComparer.Ordinal));
    }

    /// <summary>The process <paramref name="listId"/> names, the predefined one when it is null; null if the account has no such process.</summary>
    public ProcessChoice? Process(long? listId) =>
        _processes.FirstOrDefault(p => listId is { } id ? p.Id == id : p.IsPredefined);

    /// <summary>Whether a double opt-in process of the account sends its email again on add or update of a pending contact.</summary>
    public bool AnyResends => _processes.Any(p => p.ResendConfirmationEmail && !p.UseSingleOptIn);

    /// <summary>Error 403 if a tag is not the account's, 31 if it is a SmartTag; null if all are manual tags of the account.</summary>
    public int? ManualTagError(IEnumerable<long> tagIds)
    {
        var smart = false;
        foreach (var id in tagIds)
        {
            if (!_tags.TryGetValue(id, out var kind)) return WireErrors.TagNotFound;
            smart |= kind != TagKind.Manual;
        }
        return smart ? WireErrors.SmartTag : null;
    }

    /// <summary>True if the address, its domain or a parent domain is on the account's blocklist.</summary>
    public async ValueTask<bool> IsBlockedAsync(TagflowDb db, EmailAddress address, CancellationToken cancellationToken) =>
        _blocklist is null
            ? await BlocklistRules.IsBlockedAsync(db, _accountId, address, cancellationToken)
            : BlocklistRules.Candidates(address).Any(_blocklist.Contains);
}

/// <summary>
/// Each instance's copies of its accounts' <see cref="ReferenceData"/>. A copy is good while the
/// account's <see cref="Account.ReferenceVersion"/>, which authentication reads with every request,
/// is the one it was loaded at: database triggers raise the version with every change to the data,
/// whichever instance or command makes it, so no instance ever serves a stale copy to a request
/// authenticated after the change.
/// </summary>
internal sealed class ReferenceCache : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 250_000 });

    private sealed record Entry(long Version, ReferenceData Data);

    public ValueTask<ReferenceData> GetAsync(TagflowDb db, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        GetAsync(db, user.AccountId(), user.ReferenceVersion(), cancellationToken);

    /// <summary>The account's reference data at <paramref name="version"/> (as authentication read it) or newer.</summary>
    public async ValueTask<ReferenceData> GetAsync(TagflowDb db, long accountId, long? version, CancellationToken cancellationToken)
    {
        // Without the version, nothing could tell a stale copy: load, and keep nothing.
        if (version is not { } at) return await ReferenceData.LoadAsync(db, accountId, cancellationToken);
        // A copy loaded at a later version than this request's is newer still, and as good.
        if (_cache.TryGetValue(accountId, out Entry? entry) && entry!.Version >= at) return entry.Data;

        // Loaded after the version was read, so the copy is at least as new as the version it is kept under.
        var data = await ReferenceData.LoadAsync(db, accountId, cancellationToken);
        _cache.Set(accountId, new Entry(at, data), new MemoryCacheEntryOptions
        {
            Size = data.Size,
            SlidingExpiration = TimeSpan.FromMinutes(30),
        });
        return data;
    }

    public void Dispose() => _cache.Dispose();
}
