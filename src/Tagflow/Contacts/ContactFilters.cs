namespace Tagflow.Contacts;

/// <summary>The filters and paging of the contact lists, parsed and checked.</summary>
internal sealed record ContactFilters(List<ContactStatus> Statuses, List<BounceStatus> Bounces, int? Limit, long After)
{
    public const string Help =
        "Filters: status is a list of pending, subscribed, unsubscribed (default: subscribed); bounceStatus a list of nobounce, softbounce, " +
        "hardbounce, spambounce (default: all but hardbounce); both as repeated keys or comma lists; limit a whole number of at least 1 " +
        "(default: all); after a contact id.";

    /// <summary>
    /// KlickTipp's defaults (WIRE.md, "Default filters of the contact lists"): without <c>status</c>,
    /// Subscribed contacts only; without <c>bounceStatus</c>, every contact that is not hard-bounced.
    /// </summary>
    private static readonly List<ContactStatus> DefaultStatuses = [ContactStatus.Subscribed];
    private static readonly List<BounceStatus> DefaultBounces = [BounceStatus.None, BounceStatus.Soft, BounceStatus.Spam];

    /// <summary>Null when a value is not one of the accepted ones.</summary>
    public static ContactFilters? Parse(List<string>? status, List<string>? bounce, long? limit, long? after) =>
        Parse(status, bounce, limit, after, DefaultStatuses, DefaultBounces);

    /// <summary>
    /// The filters of an export, which is the whole account: without <c>status</c>, every status; without
    /// <c>bounceStatus</c>, every bounce state. Null when a value is not one of the accepted ones.
    /// </summary>
    public static ContactFilters? ParseWholeAccount(List<string>? status, List<string>? bounce) =>
        Parse(status, bounce, null, null, [.. Enum.GetValues<ContactStatus>()], [.. Enum.GetValues<BounceStatus>()]);

    private static ContactFilters? Parse(List<string>? status, List<string>? bounce, long? limit, long? after,
        List<ContactStatus> defaultStatuses, List<BounceStatus> defaultBounces)
    {
        var statuses = Values(status, word => word switch
        {
            "pending" or "optinpending" => ContactStatus.Pending,
            "subscribed" => ContactStatus.Subscribed,
            "unsubscribed" => ContactStatus.Unsubscribed,
            _ => (ContactStatus?)null,
        });
        var bounces = Values(bounce, word => word switch
        {
            "nobounce" or "notbounced" => BounceStatus.None,
            "softbounce" => BounceStatus.Soft,
            "hardbounce" => BounceStatus.Hard,
            "spambounce" => BounceStatus.Spam,
            _ => (BounceStatus?)null,
        });
        if (statuses is null || bounces is null || limit is < 1 || after is < 0) return null;
        // A limit beyond what any account holds is no limit.
        int? take = limit is { } l && l < int.MaxValue ? (int)l : null;
        return new ContactFilters(statuses.Count > 0 ? statuses : defaultStatuses, bounces.Count > 0 ? bounces : defaultBounces, take, after ?? 0);
    }

    /// <summary>The values of a filter, each once (however often it is given); null if one of its words is unknown.</summary>
    private static List<T>? Values<T>(List<string>? words, Func<string, T?> map) where T : struct
    {
        var values = new List<T>();
        foreach (var word in Words(words))
        {
            if (map(word) is not { } value) return null;
            if (!values.Contains(value)) values.Add(value);
        }
        return values;
    }

    /// <summary>Each value of a list or comma list, lower case, letters only ("Opt-In Pending" → "optinpending").</summary>
    private static IEnumerable<string> Words(List<string>? values) =>
        (values ?? []).OfType<string>().SelectMany(v => v.Split(',')).Select(v => new string([.. v.Where(char.IsLetter)]).ToLowerInvariant()).Where(v => v.Length > 0);
}
