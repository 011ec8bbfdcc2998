using System.Text.Json.Nodes;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>Tagflow: email addresses and domains that may not subscribe (<c>/blocklist</c>); they are refused with error 30.</summary>
public sealed class BlocklistService
{
    private readonly KlickTippConnection _connection;

    internal BlocklistService(KlickTippConnection connection) => _connection = connection;

    /// <summary>The blocked addresses and domains (<c>GET /blocklist</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Get, "blocklist"), cancellationToken);
        return [.. answer.EnumerateArray().Select(Json.Text)];
    }

    /// <summary>Blocks an email address or a whole domain (<c>POST /blocklist</c>).</summary>
    /// <param name="value">An address (<c>spam@example.com</c>) or a domain (<c>example.org</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task AddAsync(string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        await _connection.SendAsync(new ApiCall(HttpMethod.Post, "blocklist", new JsonObject { ["value"] = value }), cancellationToken);
    }

    /// <summary>Unblocks an address or domain (<c>DELETE /blocklist/{value}</c>).</summary>
    /// <param name="value">The blocked address or domain.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">With <see cref="KlickTippErrorKind.NotFound"/> when it is not blocked.</exception>
    public async Task RemoveAsync(string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        await _connection.SendAsync(new ApiCall(HttpMethod.Delete, "blocklist/" + Uri.EscapeDataString(value)), cancellationToken);
    }
}
