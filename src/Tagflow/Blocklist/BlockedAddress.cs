namespace Tagflow.Blocklist;

/// <summary>An address (<c>a@b.de</c>) or a whole domain (<c>b.de</c>, with its subdomains) that may not subscribe.</summary>
internal sealed class BlockedAddress
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    /// <summary>Lower case, the domain in its ASCII (punycode) form.</summary>
    public required string Value { get; set; }
    public DateTime CreatedAt { get; set; }
}
