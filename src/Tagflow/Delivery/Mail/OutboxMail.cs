namespace Tagflow.Delivery;

/// <summary>A message stored with the change that sends it, until the outbox writer has put it into its file.</summary>
internal sealed class OutboxMail
{
    public long Id { get; set; }
    /// <summary>The account whose email it is, for its queue figures; null for rows stored before it was kept.</summary>
    public long? AccountId { get; set; }
    public required string FileName { get; set; }
    public required byte[] Content { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>How often an SMTP relay has put this message off (a 4xx answer for it alone, such as a full mailbox).</summary>
    public int Attempts { get; set; }
    /// <summary>After a put-off, the message waits until then; the others go on meanwhile.</summary>
    public DateTime? NotBefore { get; set; }
}
