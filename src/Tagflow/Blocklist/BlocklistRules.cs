using Microsoft.EntityFrameworkCore;
using Tagflow.Contacts;
using Tagflow.Data;

namespace Tagflow.Blocklist;

/// <summary>The rules of an account's blocklist: what an entry is, and whether it blocks an address.</summary>
internal static class BlocklistRules
{
    /// <summary>An address or a domain in its stored form; null if it is neither.</summary>
    public static string? NormalizeEntry(string? value)
    {
        var text = value?.Trim() ?? "";
        if (text.StartsWith('@')) text = text[1..]; // "@example.com" means the domain
        return text.Contains('@') ? EmailAddress.Parse(text)?.Normalized : EmailAddress.NormalizeDomain(text);
    }

    /// <summary>True if the address, its domain or a parent domain (<c>example.com</c> blocks <c>mail.example.com</c>) is on the list.</summary>
    public static Task<bool> IsBlockedAsync(TagflowDb db, long accountId, EmailAddress address, CancellationToken cancellationToken)
    {
        var candidates = Candidates(address);
        return db.Blocklist.AnyAsync(b => b.AccountId == accountId && candidates.Contains(b.Value), cancellationToken);
    }

    /// <summary>The entries that block an address: the address itself, its domain and each parent domain but the top-level one.</summary>
    public static List<string> Candidates(EmailAddress address)
    {
        var candidates = new List<string> { address.Normalized };
        var labels = address.Domain.Split('.');
        for (var i = 0; i < labels.Length - 1; i++) candidates.Add(string.Join('.', labels[i..]));
        return candidates;
    }
}
