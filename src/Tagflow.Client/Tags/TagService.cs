using System.Text.Json.Nodes;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>A tag: <see cref="Text"/> is its description.</summary>
/// <param name="Id">The tag id.</param>
/// <param name="Name">The tag name.</param>
/// <param name="Text">The description; empty when none.</param>
public sealed record Tag(long Id, string Name, string Text);

/// <summary>Tags (<c>/tag</c>).</summary>
public sealed class TagService
{
    private const int TagNameTaken = 601;
    private readonly KlickTippConnection _connection;

    internal TagService(KlickTippConnection connection) => _connection = connection;

    /// <summary>The manual tags, id → name (<c>GET /tag</c>); SmartTags are not listed.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyDictionary<long, string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Get, "tag"), cancellationToken);
        return Json.Map(answer).ToDictionary(e => Json.Id(e.Key), e => e.Value);
    }

    /// <summary>Reads a tag, manual or smart (<c>GET /tag/{id}</c>).</summary>
    /// <param name="id">The tag id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">With <see cref="KlickTippErrorKind.NotFound"/> when there is no such tag.</exception>
    public async Task<Tag> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Get, "tag/" + Json.IdText(id)), cancellationToken);
        return new Tag(Json.Id(Json.Text(answer, "tagid")), Json.Text(answer, "name"), Json.Text(answer, "text"));
    }

    /// <summary>
    /// Creates a manual tag (<c>POST /tag</c>). Not retried after a server error or timeout, which could create
    /// it twice; <see cref="GetOrCreateAsync"/> is the safe way to make sure a tag exists.
    /// </summary>
    /// <param name="name">The tag name.</param>
    /// <param name="text">An optional description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new tag's id.</returns>
    /// <exception cref="KlickTippException">On Tagflow, refused with error 601 when the name is taken (regardless of case).</exception>
    public async Task<long> CreateAsync(string name, string? text = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var body = new JsonObject { ["name"] = name };
        if (text is not null) body["text"] = text;
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Post, "tag", body, Repeat: Repeat.OnlyIfNotReceived), cancellationToken);
        return Json.Id(Json.Single(answer));
    }

    /// <summary>Renames a tag and/or changes its description (<c>PUT /tag/{id}</c>); a <see langword="null"/> argument is left as it is.</summary>
    /// <param name="id">The tag id.</param>
    /// <param name="name">The new name, or <see langword="null"/>.</param>
    /// <param name="text">The new description, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task UpdateAsync(long id, string? name = null, string? text = null, CancellationToken cancellationToken = default)
    {
        if (name is null && text is null) throw new ArgumentException("Give a new name, a new text, or both.", nameof(name));
        var body = new JsonObject();
        if (name is not null) body["name"] = name;
        if (text is not null) body["text"] = text;
        await _connection.SendAsync(new ApiCall(HttpMethod.Put, "tag/" + Json.IdText(id), body), cancellationToken);
    }

    /// <summary>Deletes a manual tag (<c>DELETE /tag/{id}</c>).</summary>
    /// <param name="id">The tag id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        await _connection.SendAsync(new ApiCall(HttpMethod.Delete, "tag/" + Json.IdText(id)), cancellationToken);

    /// <summary>
    /// The id of the manual tag with this name (compared without regard to case or surrounding spaces),
    /// created when there is none: for an integration's "Create tag" button. Safe to call concurrently and
    /// to repeat.
    /// </summary>
    /// <param name="name">The tag name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<long> GetOrCreateAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (await FindAsync(name, cancellationToken) is { } existing) return existing;
        try
        {
            return await CreateAsync(name.Trim(), cancellationToken: cancellationToken);
        }
        catch (KlickTippException e) when (e.ErrorCode == TagNameTaken || e.Kind is KlickTippErrorKind.ServerError or KlickTippErrorKind.Unreachable)
        {
            // Someone else created it meanwhile, or our own attempt may have: look again before giving up.
            if (await FindAsync(name, cancellationToken) is { } created) return created;
            throw;
        }
    }

    private async Task<long?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var wanted = name.Trim();
        foreach (var (id, existing) in await ListAsync(cancellationToken))
        {
            if (string.Equals(existing.Trim(), wanted, StringComparison.OrdinalIgnoreCase)) return id;
        }
        return null;
    }
}
