namespace Tagflow.Contacts;

/// <summary>The filters and paging of the contact lists, parsed and checked.</summary>
internal sealed record ContactFilters(List<ContactStatus> Statuses, List<BounceStatus> Bounces, int? Limit, long After)
{
    public const string Help =
        "Filters: status is a list of pending, subscribed, unsubscribed; bounceStatus a list of nobounce, softbounce, hardbounce, spambounce " +
        "(repeated keys or comma lists); limit a whole number of at least 1 (default: all); after a contact id.";

    /// <summary>Null when a value is not one of the accepted ones.</summary>
    public static ContactFilters? Parse(List<string>? status, List<string>? bounce, long? limit, long? after)
    {
        var statuses = new List<ContactStatus>();
        foreach (var word in Words(status))
        {
            ContactStatus? s = word switch
            {
                "pending" or "optinpending" => ContactStatus.Pending,
                "subscribed" => ContactStatus.Subscribed,
                "unsubscribed" => ContactStatus.Unsubscribed,
                _ => null,
            };
            if (s is null) return null;
            statuses.Add(s.Value);
        }
        var bounces = new List<BounceStatus>();
        foreach (var word in Words(bounce))
        {
            BounceStatus? b = word switch
            {
                "nobounce" or "notbounced" => BounceStatus.None,
                "softbounce" => BounceStatus.Soft,
                "hardbounce" => BounceStatus.Hard,
                "spambounce" => BounceStatus.Spam,
                _ => null,
            };
            if (b is null) return null;
            bounces.Add(b.Value);
        }
        if (limit is < 1 || after is < 0) return null;
        // A limit beyond what any account holds is no limit.
        int? take = limit is { } l && l < int.MaxValue ? (int)l : null;
        return new ContactFilters(statuses, bounces, take, after ?? 0);
    }

    /// <summary>Each value of a list or comma list, lower case, letters only ("Opt-In Pending" → "optinpending").</summary>
    private static IEnumerable<string> Words(List<string>? values) =>
        (values ?? []).SelectMany(v => v.Split(',')).Select(v => new string([.. v.Where(char.IsLetter)]).ToLowerInvariant()).Where(v => v.Length > 0);
}
