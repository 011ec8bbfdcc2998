using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Tags;

namespace Tagflow.OptIns;

/// <summary>A listbuilding key as a call finds it, with its account.</summary>
internal sealed record KeyHolder(ListbuildingKey Key, Account Account);

/// <summary>
/// What the doors of a listbuilding key share: finding the key within the limits (a disabled key is
/// found by neither door), the origin its changes record, and the sign-in itself, the one path of
/// <c>POST /subscriber/signin</c> and of the key's hosted form.
/// </summary>
internal sealed class ListbuildingSignIn(TagflowDb db, ContactChanges changes, SignInLimits limits)
{
    /// <summary>
    /// The key and its account, once the call is within the limits; null for a wrong or disabled key
    /// (or a limit reached, which <see cref="SignInLimits.RetryAfter"/> then says). A wrong key and an
    /// unknown account look the same.
    /// </summary>
    public async Task<KeyHolder?> FindByKeyAsync(HttpContext http, string? apiKey, CancellationToken cancellationToken)
    {
        var hash = Secrets.LookupHash(apiKey ?? "");
        if (!limits.Admit(http, hash)) return null;
        if (string.IsNullOrEmpty(apiKey)) return null;
        return await FindAsync(db.ListbuildingKeys.Where(k => k.KeyHash == hash), cancellationToken);
    }

    /// <summary>The enabled key whose form is <paramref name="formToken"/>, with its account; null when there is none. Counts nothing.</summary>
    public Task<KeyHolder?> FindByFormTokenAsync(string formToken, CancellationToken cancellationToken) =>
        FindAsync(db.ListbuildingKeys.Where(k => k.FormToken == formToken), cancellationToken);

    /// <summary>
    /// Counts a form's sign-up against its client address and its key, as a call with the key is
    /// counted (one budget, whichever door); false when either is spent.
    /// </summary>
    public bool Admit(HttpContext http, ListbuildingKey key) => limits.Admit(http, key.KeyHash);

    private async Task<KeyHolder?> FindAsync(IQueryable<ListbuildingKey> keys, CancellationToken cancellationToken)
    {
        var found = await (
            from k in keys
            join a in db.Accounts on k.AccountId equals a.Id
            where k.DisabledAt == null
            select new { Key = k, Account = a }).AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        return found is null ? null : new(found.Key, found.Account);
    }

    /// <summary>
    /// Adds or updates the contact through the key's process, with its tag and SmartTag, recording
    /// <paramref name="signupSource"/> as where it came from; answers the change and, when done, where
    /// the visitor goes next (the pending page, or the thank-you page once subscribed).
    /// </summary>
    public async Task<(ContactResult<SavedContact> Result, string NextUrl)> SignInAsync(HttpContext http, KeyHolder holder, string signupSource,
        string? email, string? smsNumber, IReadOnlyDictionary<string, string?>? fields, CancellationToken cancellationToken)
    {
        var key = holder.Key;
        var result = await changes.AddOrUpdateAsync(Origin(http, holder, signupSource), new ContactInput(email, smsNumber, key.ListId, key.TagId, fields),
            cancellationToken);
        if (!result.Done) return (result, "");
        return (result, await NextUrlAsync(http, key, result.Value!.Contact.Status == ContactStatus.Subscribed, cancellationToken));
    }

    /// <summary>
    /// Where a visitor of the key goes next: its process's thank-you page once subscribed, else its
    /// pending page (Tagflow's own without one); for a null <paramref name="subscribed"/>, where a new
    /// contact of the process goes (the thank-you page of a single opt-in).
    /// </summary>
    public async Task<string> NextUrlAsync(HttpContext http, ListbuildingKey key, bool? subscribed, CancellationToken cancellationToken)
    {
        var process = await db.OptInProcesses.AsNoTracking().SingleAsync(p => p.Id == key.ListId && p.AccountId == key.AccountId, cancellationToken);
        return OptInPages.NextUrl(http, process, subscribed ?? process.UseSingleOptIn);
    }

    /// <summary>The sign-up source the API's calls record.</summary>
    public static string ApiSource(ListbuildingKey key) => $"Listbuilding #{key.Id}";

    /// <summary>A change through a listbuilding key: recorded with its sign-up source, and tagged with the key's SmartTag.</summary>
    public static ChangeOrigin Origin(HttpContext http, KeyHolder holder, string signupSource) =>
        ChangeOrigin.ForRequest(http, Principal.Create(holder.Account, "Listbuilding", null), ChangeSource.Listbuilding) with
        {
            SignupSource = signupSource,
            SmartTag = (SmartTags.ListbuildingKey(holder.Key.Id), SmartTags.ListbuildingName(holder.Key.Name)),
        };
}
