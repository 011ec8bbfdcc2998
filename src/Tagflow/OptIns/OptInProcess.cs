namespace Tagflow.OptIns;

/// <summary>An opt-in process ("list" on the wire): how a contact comes to be subscribed.</summary>
internal sealed class OptInProcess
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    /// <summary>Empty for the predefined process, as KlickTipp has it.</summary>
    public string Name { get; set; } = "";
    public bool IsPredefined { get; set; }
    public bool UseSingleOptIn { get; set; }
    public string PendingUrl { get; set; } = "";
    public string ThankYouUrl { get; set; } = "";
    public bool ResendConfirmationEmail { get; set; }
    public bool UseChangeEmail { get; set; }
    public DateTime CreatedAt { get; set; }

    public static OptInProcess Predefined(long accountId, DateTime now) => new()
    {
        AccountId = accountId,
        Name = "",
        IsPredefined = true,
        UseSingleOptIn = false,
        CreatedAt = now,
    };
}
