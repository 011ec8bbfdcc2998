namespace Tagflow.OptIns;

/// <summary>
/// A listbuilding API key: what a sign-up form or shop sends with <c>POST /subscriber/signin</c>,
/// <c>signout</c> and <c>signoff</c> instead of account credentials. It signs contacts in through
/// its opt-in process, assigns its tag (if any) and its own SmartTag "Listbuilding: name". The key
/// is shown once, at creation; only its SHA-256 is stored, with its first characters to recognise it.
/// </summary>
internal sealed class ListbuildingKey
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string Name { get; set; }
    public required string KeyHash { get; set; }
    /// <summary>The key's first characters, shown in lists so that a key can be told apart.</summary>
    public required string KeyPrefix { get; set; }
    public long ListId { get; set; }
    public long? TagId { get; set; }
    public DateTime CreatedAt { get; set; }
}
