using System.Text.Json.Nodes;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>What <see cref="ListbuildingService.SignInAsync"/> sends.</summary>
public sealed class SignInOptions
{
    /// <summary>The listbuilding API key; it decides the opt-in process and the tag.</summary>
    public required string ApiKey { get; init; }

    /// <summary>The email address. Either this or <see cref="SmsNumber"/> is required.</summary>
    public string? Email { get; init; }

    /// <summary>The SMS number. Either this or <see cref="Email"/> is required.</summary>
    public string? SmsNumber { get; init; }

    /// <summary>Data field values to set.</summary>
    public FieldValues? Fields { get; init; }
}

/// <summary>
/// The listbuilding calls (<c>/subscriber/signin</c>, <c>signout</c>, <c>signoff</c>) for forms and shops.
/// Each is authenticated by a listbuilding API key sent with the call, not by the client's credentials.
/// </summary>
public sealed class ListbuildingService
{
    private readonly KlickTippConnection _connection;

    internal ListbuildingService(KlickTippConnection connection) => _connection = connection;

    /// <summary>
    /// Subscribes a contact through the key's opt-in process and tags it with the key's tag
    /// (<c>POST /subscriber/signin</c>).
    /// </summary>
    /// <param name="options">The key, the address and/or number, and fields.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Where to send the contact next: the pending page or the thank-you page.</returns>
    public async Task<Uri> SignInAsync(SignInOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiKey, nameof(options.ApiKey));
        var body = new JsonObject { ["apikey"] = options.ApiKey };
        if (options.Email is not null) body["email"] = options.Email;
        if (options.SmsNumber is not null) body["smsnumber"] = options.SmsNumber;
        if (options.Fields is { Count: > 0 } fields) body["fields"] = ContactService.FieldsJson(fields);
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Post, "subscriber/signin", body, Authenticated: false), cancellationToken);
        return OptInProcessService.Url(Json.Text(Json.Single(answer)));
    }

    /// <summary>Removes the key's tag from the contact with this email address (<c>POST /subscriber/signout</c>).</summary>
    /// <param name="apiKey">The listbuilding API key.</param>
    /// <param name="email">The contact's email address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task SignOutAsync(string apiKey, string email, CancellationToken cancellationToken = default) =>
        SendAsync("subscriber/signout", apiKey, email, cancellationToken);

    /// <summary>Unsubscribes the contact with this email address (<c>POST /subscriber/signoff</c>).</summary>
    /// <param name="apiKey">The listbuilding API key.</param>
    /// <param name="email">The contact's email address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task SignOffAsync(string apiKey, string email, CancellationToken cancellationToken = default) =>
        SendAsync("subscriber/signoff", apiKey, email, cancellationToken);

    private async Task SendAsync(string path, string apiKey, string email, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        var body = new JsonObject { ["apikey"] = apiKey, ["email"] = email };
        await _connection.SendAsync(new ApiCall(HttpMethod.Post, path, body, Authenticated: false), cancellationToken);
    }
}
