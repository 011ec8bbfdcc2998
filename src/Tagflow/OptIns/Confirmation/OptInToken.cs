namespace Tagflow.OptIns;

/// <summary>
/// The secret of one confirmation link: random (256 bits), stored only as its SHA-256, for one
/// contact, valid for <see cref="Lifetime"/>. Used once: opening the link again only redirects.
/// </summary>
internal sealed class OptInToken
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public long Id { get; set; }
    public long AccountId { get; set; }
    public long ContactId { get; set; }
    public required string TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
    /// <summary>
    /// Sent by a listbuilding sign-in to an address that had unsubscribed: the contact's own click
    /// on it subscribes the address again, with fresh proof (nothing else may).
    /// </summary>
    public bool Resubscribes { get; set; }
    /// <summary>
    /// A change of address waiting for its confirmation (the process's <c>usechangeemail</c>): the link
    /// went to this new address, and the contact's address becomes it only when the link is opened.
    /// </summary>
    public string? NewEmail { get; set; }
}
