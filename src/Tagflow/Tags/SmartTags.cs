using Microsoft.EntityFrameworkCore;
using Tagflow.Data;

namespace Tagflow.Tags;

/// <summary>
/// SmartTags: tags that only the system assigns, each tied to what assigns it (an opt-in process,
/// a listbuilding key, a campaign or one of its emails, a bounce or complaint), created on first use. A SmartTag's identity is its source, not its name:
/// its <see cref="Tag.NormalizedName"/> is the source's key with a leading space, which no manual
/// tag's can have (manual names are trimmed), so a manual tag may carry the same words.
/// </summary>
internal static class SmartTags
{
    public static string OptInConfirmedKey(long processId) => $" optin:{processId}";

    public static string ListbuildingKey(long keyId) => $" listbuilding:{keyId}";

    public static string CampaignStartedKey(long campaignId) => $" campaign-started:{campaignId}";

    public static string CampaignFinishedKey(long campaignId) => $" campaign-finished:{campaignId}";

    public static string OpenedKey(long campaignId, int step) => $" opened:{campaignId}:{step}";

    public static string ClickedKey(long campaignId, int step) => $" clicked:{campaignId}:{step}";

    public const string HardBounceKey = " bounce:hard";
    public const string HardBounceName = "Bounce: hard";
    public const string SoftBounceKey = " bounce:soft";
    public const string SoftBounceName = "Bounce: soft";
    public const string ComplaintKey = " complaint";
    public const string ComplaintName = "Spam complaint";

    public static string CampaignStartedName(string campaign) => Capped("Campaign started: " + campaign);

    public static string CampaignFinishedName(string campaign) => Capped("Campaign finished: " + campaign);

    /// <summary>"Opened: campaign / subject", for one email of a campaign.</summary>
    public static string OpenedName(string campaign, string subject) => Capped($"Opened: {campaign} / {subject}");

    public static string ClickedName(string campaign, string subject) => Capped($"Clicked: {campaign} / {subject}");

    /// <summary>The name "Opt-in confirmed: X", with the predefined process's empty name shown as such.</summary>
    public static string OptInConfirmedName(string processName) =>
        Capped("Opt-in confirmed: " + (processName.Length > 0 ? processName : "Predefined double opt-in"));

    public static string ListbuildingName(string keyName) => Capped("Listbuilding: " + keyName);

    /// <summary>A tag name holds at most 250 characters; a long source name is cut short, with an ellipsis.</summary>
    private static string Capped(string name) => name.Length <= Tag.MaxNameLength ? name : name[..(Tag.MaxNameLength - 1)] + "…";

    /// <summary>The id of the SmartTag with this key; null if there is none yet.</summary>
    public static Task<long?> FindAsync(TagflowDb db, long accountId, string key, CancellationToken cancellationToken) =>
        db.Tags.Where(t => t.AccountId == accountId && t.NormalizedName == key && t.Kind == TagKind.Smart)
            .Select(t => (long?)t.Id).SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// The id of the SmartTag with this key, created with <paramref name="name"/> if there is none yet;
    /// runs inside the caller's change, under the account's writer.
    /// </summary>
    public static async Task<long> EnsureAsync(TagflowDb db, long accountId, string key, string name, DateTime now, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, accountId, key, cancellationToken) is { } existing) return existing;
        var tag = new Tag { AccountId = accountId, Name = name, NormalizedName = key, Kind = TagKind.Smart, CreatedAt = now };
        db.Tags.Add(tag);
        await db.SaveChangesAsync(cancellationToken);
        return tag.Id;
    }
}
