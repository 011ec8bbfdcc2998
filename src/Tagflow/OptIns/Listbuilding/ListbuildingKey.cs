namespace Tagflow.OptIns;

/// <summary>
/// A listbuilding API key: what a sign-up form or shop sends with <c>POST /subscriber/signin</c>,
/// <c>signout</c> and <c>signoff</c> instead of account credentials. It signs contacts in through
/// its opt-in process, assigns its tag (if any) and its own SmartTag "Listbuilding: name". The key
/// is shown once, at creation; only its SHA-256 is stored, with its first characters to recognise it.
/// Each key also has a hosted sign-up form, <c>/f/{FormToken}</c>, with the data fields chosen for it.
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
    /// <summary>Set while the key is disabled: its calls and its form answer as for a key that does not exist.</summary>
    public DateTime? DisabledAt { get; set; }

    /// <summary>
    /// The address of the key's hosted form (<c>/f/{FormToken}</c>): public, since it is in every page
    /// that embeds the form, and not the key, which stays secret. Random, so forms cannot be listed.
    /// </summary>
    public string FormToken { get; set; } = "";

    /// <summary>The data fields the form asks for besides the email address: their keys, comma-separated, in the form's order.</summary>
    public string FormFields { get; set; } = "";

    /// <summary>Whether the form asks for an SMS number.</summary>
    public bool FormAsksSms { get; set; }

    public IReadOnlyList<string> FormFieldKeys => FormFields.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
