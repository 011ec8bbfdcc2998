using Tagflow.Wire;

namespace Tagflow.Contacts;

/// <summary>
/// What a contact change answers: done (with its value), refused with one of the wire's errors, or
/// asked to come back later. A refused change kept nothing. Each caller turns it into its own answer.
/// </summary>
internal readonly record struct ContactResult<T>(T? Value, WireError? Refusal = null, TimeSpan? RetryAfter = null, string Reason = "")
{
    public bool Done => Refusal is null && RetryAfter is null;

    public static ContactResult<T> Ok(T value) => new(value);

    public static ContactResult<T> Refused(int error) => new(default, new WireError(error));

    public static ContactResult<T> Refused(WireError error) => new(default, error);

    /// <summary>Not now: the same change may be asked for again after <paramref name="wait"/>; <paramref name="reason"/> says why.</summary>
    public static ContactResult<T> TooSoon(TimeSpan wait, string reason) => new(default, RetryAfter: wait, Reason: reason);
}

/// <summary>The contact as a change left it, built from what was written, not read back.</summary>
internal sealed record SavedContact(Contact Contact, IReadOnlyDictionary<string, string> Fields, IReadOnlyList<TagOnContact> Tags,
    ContactActivity? Activity, Fields.FieldCatalog Catalog)
{
    public WireObject ToWire(TimeZoneInfo zone) => ContactWire.Build(Contact, Fields, Tags, Catalog, zone, Activity);
}
