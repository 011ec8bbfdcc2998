namespace Tagflow.Tags;

internal enum TagKind
{
    /// <summary>Assigned by users and integrations.</summary>
    Manual,
    /// <summary>A SmartTag: assigned only by the system (opt-ins, campaigns, clicks).</summary>
    Smart,
}

internal sealed class Tag
{
    /// <summary>The longest name a tag may have (its column's length).</summary>
    public const int MaxNameLength = 250;

    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string Name { get; set; }
    /// <summary>Lower-case name: tag names are unique per account regardless of case.</summary>
    public required string NormalizedName { get; set; }
    public string Text { get; set; } = "";
    public TagKind Kind { get; set; } = TagKind.Manual;
    public DateTime CreatedAt { get; set; }

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();
}
