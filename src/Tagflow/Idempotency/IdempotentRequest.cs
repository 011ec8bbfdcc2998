namespace Tagflow.Idempotency;

/// <summary>
/// A write that came with an <c>Idempotency-Key</c>: what it was (a hash of its method, path and body)
/// and, once answered, its answer, which the same key and request get again for 24 hours.
/// </summary>
internal sealed class IdempotentRequest
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string Key { get; set; }
    /// <summary>SHA-256 of the method, path, query, content type and body, as hex.</summary>
    public required string RequestHash { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Null while the first request is being answered.</summary>
    public int? Status { get; set; }
    public string? ContentType { get; set; }
    public byte[]? Body { get; set; }
}
