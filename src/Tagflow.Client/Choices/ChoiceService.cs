using System.Globalization;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>One entry of a drop-down.</summary>
/// <param name="Label">What the user sees.</param>
/// <param name="Value">What to store: a tag or process id, or a field key.</param>
public sealed record Choice(string Label, string Value);

/// <summary>
/// A drop-down's entries, or why they could not be loaded. When <see cref="Succeeded"/> is false, show
/// <see cref="Error"/> and offer a field for entering the id by hand instead of an empty list.
/// </summary>
/// <param name="Succeeded">Whether the entries were loaded.</param>
/// <param name="Items">The entries, sorted by label; empty when loading failed.</param>
/// <param name="Error">Why loading failed, as a sentence for the user; <see langword="null"/> on success.</param>
public sealed record ChoiceList(bool Succeeded, IReadOnlyList<Choice> Items, string? Error)
{
    internal static ChoiceList Of(IEnumerable<Choice> items) =>
        new(true, [.. items.OrderBy(c => c.Label, StringComparer.Create(CultureInfo.InvariantCulture, CompareOptions.IgnoreCase)).ThenBy(c => c.Value, StringComparer.Ordinal)], null);

    internal static ChoiceList Failed(string error) => new(false, [], error);
}

/// <summary>
/// Reference data for an integration's drop-downs: opt-in processes, tags and fields as label/value lists.
/// A loading failure is returned, never thrown, so the UI can fall back to manual input.
/// </summary>
public sealed class ChoiceService
{
    /// <summary>The label shown for the predefined double opt-in process, whose name is empty.</summary>
    public const string PredefinedOptInLabel = "Predefined double opt-in";

    private readonly KlickTippConnection _connection;
    private readonly TagService _tags;
    private readonly FieldService _fields;
    private readonly OptInProcessService _optIns;

    internal ChoiceService(KlickTippConnection connection, TagService tags, FieldService fields, OptInProcessService optIns) =>
        (_connection, _tags, _fields, _optIns) = (connection, tags, fields, optIns);

    /// <summary>The opt-in processes; the predefined one (empty name) as <see cref="PredefinedOptInLabel"/>.</summary>
    /// <param name="cancellationToken">Cancels the call; cancellation is thrown, not returned.</param>
    public Task<ChoiceList> OptInProcessesAsync(CancellationToken cancellationToken = default) =>
        LoadAsync(async () => (await _optIns.ListAsync(cancellationToken))
            .Select(p => new Choice(p.Value.Length > 0 ? p.Value : PredefinedOptInLabel, Json.IdText(p.Key))), cancellationToken);

    /// <summary>The manual tags.</summary>
    /// <param name="cancellationToken">Cancels the call; cancellation is thrown, not returned.</param>
    public Task<ChoiceList> TagsAsync(CancellationToken cancellationToken = default) =>
        LoadAsync(async () => (await _tags.ListAsync(cancellationToken)).Select(t => new Choice(t.Value, Json.IdText(t.Key))), cancellationToken);

    /// <summary>The data fields, standard and custom; the value is the field key.</summary>
    /// <param name="cancellationToken">Cancels the call; cancellation is thrown, not returned.</param>
    public Task<ChoiceList> FieldsAsync(CancellationToken cancellationToken = default) =>
        LoadAsync(async () => (await _fields.ListAsync(cancellationToken)).Select(f => new Choice(f.Value.Length > 0 ? f.Value : f.Key, f.Key)), cancellationToken);

    private async Task<ChoiceList> LoadAsync(Func<Task<IEnumerable<Choice>>> load, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_connection.HasCredentials)
            return ChoiceList.Failed("No API credentials are configured: enter the username and keys (or password) first.");
        try
        {
            return ChoiceList.Of(await load());
        }
        catch (KlickTippException e)
        {
            return ChoiceList.Failed(e.UserMessage);
        }
    }
}
