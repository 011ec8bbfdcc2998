using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Wire;

namespace Tagflow.Tags;

/// <summary>The rules of an account's manual tags, shared by the API (<c>/tag</c>) and <c>tagflow tags</c>.</summary>
internal sealed class TagAdmin(TagflowDb db, Writes writes, TimeProvider clock)
{
    /// <summary>Creates a manual tag; answers it as stored, or why it was refused.</summary>
    public async Task<(Tag? Tag, Refusal? Refusal)> AddAsync(long accountId, string? name, string? text, CancellationToken cancellationToken)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name)) return (null, new("The key \"name\" is required: the name of the new tag."));
        if (name.Length > Tag.MaxNameLength) return (null, TooLong());
        if (WireText.LineProblem("name", name) is { } line) return (null, new(line));

        var tag = new Tag
        {
            AccountId = accountId,
            Name = name,
            NormalizedName = Tag.Normalize(name),
            Text = text ?? "",
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        if (await NameTakenAsync(accountId, tag.NormalizedName, null, cancellationToken)) return (null, NameTaken(name));
        db.Tags.Add(tag);
        return await SaveUnlessNameTakenAsync(accountId, tag.NormalizedName, null, cancellationToken) ? (tag, null) : (null, NameTaken(name));
    }

    /// <summary>Renames a manual tag or changes its text; null leaves either as it is.</summary>
    public async Task<Refusal?> UpdateAsync(long accountId, long id, string? name, string? text, CancellationToken cancellationToken)
    {
        var tag = await db.Tags.SingleOrDefaultAsync(t => t.Id == id && t.AccountId == accountId, cancellationToken);
        if (tag is null) return NoSuchTag(id);
        if (tag.Kind != TagKind.Manual) return SmartTag(id);
        if (name is not null)
        {
            name = name.Trim();
            if (name.Length == 0) return new("The key \"name\" may not be empty.");
            if (name.Length > Tag.MaxNameLength) return TooLong();
            if (WireText.LineProblem("name", name) is { } line) return new(line);
            if (await NameTakenAsync(accountId, Tag.Normalize(name), id, cancellationToken)) return NameTaken(name);
            tag.Name = name;
            tag.NormalizedName = Tag.Normalize(name);
        }
        if (text is not null) tag.Text = text;
        return await SaveUnlessNameTakenAsync(accountId, tag.NormalizedName, id, cancellationToken) ? null : NameTaken(tag.Name);
    }

    /// <summary>
    /// Deletes a manual tag, untagging its contacts (each with its <c>tag.removed</c> event). A SmartTag
    /// belongs to what assigns it, and a tag that a campaign or webhook uses stays until they are changed.
    /// </summary>
    public async Task<Refusal?> RemoveAsync(long accountId, long id, CancellationToken cancellationToken)
    {
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        var kind = await db.Tags.Where(t => t.Id == id && t.AccountId == accountId).Select(t => (TagKind?)t.Kind).SingleOrDefaultAsync(cancellationToken);
        if (kind is null) return NoSuchTag(id);
        if (kind != TagKind.Manual) return SmartTag(id);
        if (await Automations.CampaignAdmin.TagInUseAsync(db, accountId, id, cancellationToken))
            return new($"Tag {id} starts or is used by a campaign or webhook: change or delete those first.", WireErrors.TagInUse);
        // Deleting a tag untags its contacts (a cascade); each of them gets its tag.removed event.
        await EventLog.AddTagRemovedForAllAsync(db, accountId, id, clock.GetUtcNow().UtcDateTime, cancellationToken);
        await db.Tags.Where(t => t.Id == id && t.AccountId == accountId).ExecuteDeleteAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>Every tag of the account, manual and smart, by id.</summary>
    public Task<List<Tag>> ListAsync(long accountId, CancellationToken cancellationToken) =>
        db.Tags.AsNoTracking().Where(t => t.AccountId == accountId).OrderBy(t => t.Id).ToListAsync(cancellationToken);

    /// <summary>Saves; false when a concurrent request took the name first (the unique index refused the write).</summary>
    private Task<bool> SaveUnlessNameTakenAsync(long accountId, string normalizedName, long? exceptId, CancellationToken cancellationToken) =>
        UniqueNames.SaveUnlessTakenAsync(db, ct => NameTakenAsync(accountId, normalizedName, exceptId, ct), cancellationToken);

    private Task<bool> NameTakenAsync(long accountId, string normalizedName, long? exceptId, CancellationToken cancellationToken) =>
        db.Tags.AnyAsync(t => t.AccountId == accountId && t.NormalizedName == normalizedName && t.Id != exceptId, cancellationToken);

    private static Refusal TooLong() => new($"The key \"name\" may have at most {Tag.MaxNameLength} characters.");

    private static Refusal NameTaken(string name) => new($"A tag named \"{name}\" already exists in the account.", WireErrors.TagNameTaken);

    private static Refusal NoSuchTag(long id) => new($"There is no tag {id} in the account.", NotFound: true);

    private static Refusal SmartTag(long id) =>
        new($"Tag {id} is a SmartTag: only the system assigns it, and it stays as long as what assigns it.", WireErrors.SmartTag);
}
