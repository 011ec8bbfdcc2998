using System.Text.Json;
using System.Text.Json.Nodes;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>An opt-in process (a "list" on the wire). The predefined double opt-in process has an empty name.</summary>
/// <param name="Id">The process id (<c>listid</c>).</param>
/// <param name="Name">The name; empty for the predefined process.</param>
/// <param name="PendingUrl">Where a contact is sent while the opt-in is pending; empty for the default page.</param>
/// <param name="ThankYouUrl">Where a contact is sent after confirming; empty for the default page.</param>
/// <param name="UsesSingleOptIn">Contacts are subscribed at once, without a confirmation email.</param>
/// <param name="ResendsConfirmationEmail">The confirmation email is sent again to contacts who have not confirmed.</param>
/// <param name="UsesChangeEmail">A change of email address is confirmed by email.</param>
public sealed record OptInProcess(long Id, string Name, string PendingUrl, string ThankYouUrl, bool UsesSingleOptIn, bool ResendsConfirmationEmail, bool UsesChangeEmail);

/// <summary>
/// Tagflow: the settings of an opt-in process to create or change; a null property is not sent, so
/// a change leaves that setting as it is.
/// </summary>
public sealed record OptInProcessSettings
{
    /// <summary>The name, unique in the account regardless of case (required to create).</summary>
    public string? Name { get; init; }

    /// <summary>Subscribe contacts at once, without a confirmation email.</summary>
    public bool? UsesSingleOptIn { get; init; }

    /// <summary>The page while a contact waits to confirm; empty for Tagflow's own.</summary>
    public string? PendingUrl { get; init; }

    /// <summary>The page once a contact has confirmed; empty for Tagflow's own.</summary>
    public string? ThankYouUrl { get; init; }

    /// <summary>Send the confirmation email again when a still pending contact is added again.</summary>
    public bool? ResendsConfirmationEmail { get; init; }

    /// <summary>A contact's new email address takes effect only once confirmed from that address.</summary>
    public bool? UsesChangeEmail { get; init; }

    /// <summary>The confirmation email's sender name.</summary>
    public string? SenderName { get; init; }

    /// <summary>The confirmation email's sender address; empty for the account's own.</summary>
    public string? SenderAddress { get; init; }

    /// <summary>The confirmation email's subject; placeholders such as <c>{{fieldFirstName}}</c> are allowed.</summary>
    public string? Subject { get; init; }

    /// <summary>The confirmation email's text; for a double opt-in it must contain <c>{{confirm_url}}</c>.</summary>
    public string? Text { get; init; }

    /// <summary>The confirmation email's HTML (empty for a text-only email); for a double opt-in it must contain <c>{{confirm_url}}</c>.</summary>
    public string? Html { get; init; }

    internal JsonObject ToJson()
    {
        var body = new JsonObject();
        void Put(string key, JsonNode? value)
        {
            if (value is not null) body[key] = value;
        }
        Put("name", Name);
        Put("usesingleoptin", UsesSingleOptIn);
        Put("pendingurl", PendingUrl);
        Put("thankyouurl", ThankYouUrl);
        Put("resendconfirmationemail", ResendsConfirmationEmail);
        Put("usechangeemail", UsesChangeEmail);
        Put("sendername", SenderName);
        Put("senderaddress", SenderAddress);
        Put("subject", Subject);
        Put("text", Text);
        Put("html", Html);
        return body;
    }
}

/// <summary>Tagflow: an opt-in process's confirmation email, with its placeholders unfilled.</summary>
/// <param name="SenderName">The sender name.</param>
/// <param name="SenderAddress">The sender address; empty for the account's own.</param>
/// <param name="Subject">The subject template.</param>
/// <param name="Text">The text template.</param>
/// <param name="Html">The HTML template; empty for a text-only email.</param>
public sealed record OptInEmail(string SenderName, string SenderAddress, string Subject, string Text, string Html);

/// <summary>Opt-in processes (<c>/list</c>).</summary>
public sealed class OptInProcessService
{
    private readonly KlickTippConnection _connection;

    internal OptInProcessService(KlickTippConnection connection) => _connection = connection;

    /// <summary>The opt-in processes, id → name (<c>GET /list</c>); the predefined one has an empty name.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyDictionary<long, string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Get, "list"), cancellationToken);
        return Json.Map(answer).ToDictionary(e => Json.Id(e.Key), e => e.Value);
    }

    /// <summary>Reads an opt-in process (<c>GET /list/{id}</c>).</summary>
    /// <param name="id">The process id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">With <see cref="KlickTippErrorKind.NotFound"/> when there is no such process.</exception>
    public async Task<OptInProcess> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        var p = await _connection.SendAsync(new ApiCall(HttpMethod.Get, "list/" + Json.IdText(id)), cancellationToken);
        return Process(p);
    }

    private static OptInProcess Process(JsonElement p) =>
        new(Json.Id(Json.Text(p, "listid")), Json.Text(p, "name"), Json.Text(p, "pendingurl"), Json.Text(p, "thankyouurl"),
            Json.Flag(p, "usesingleoptin"), Json.Flag(p, "resendconfirmationemail"), Json.Flag(p, "usechangeemail"));

    /// <summary>
    /// Where to send a contact after a form: the process's pending or thank-you page for this address
    /// (<c>POST /list/redirect</c>).
    /// </summary>
    /// <param name="id">The opt-in process id.</param>
    /// <param name="email">The contact's email address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<Uri> RedirectAsync(long id, string email, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        var body = new JsonObject { ["listid"] = id, ["email"] = email };
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Post, "list/redirect", body), cancellationToken);
        return Url(Json.Text(Json.Single(answer)));
    }

    /// <summary>Tagflow: creates an opt-in process (<c>POST /list</c>). Not retried after a server error or timeout, which could create it twice.</summary>
    /// <param name="settings">Its settings; <see cref="OptInProcessSettings.Name"/> is required.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new process, as <see cref="GetAsync"/> reads it.</returns>
    /// <exception cref="KlickTippException">Refused with error 605 when a process of that name exists; 400 for a malformed setting.</exception>
    public async Task<OptInProcess> CreateAsync(OptInProcessSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.Name, nameof(settings));
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Post, "list", settings.ToJson(), Repeat: Repeat.OnlyIfNotReceived), cancellationToken);
        // Tagflow answers the process itself; servers before it answered only its id, [12].
        return answer.ValueKind == JsonValueKind.Object ? Process(answer) : await GetAsync(Json.Id(Json.Single(answer)), cancellationToken);
    }

    /// <summary>Tagflow: changes an opt-in process (<c>PUT /list/{id}</c>); settings left null stay as they are.</summary>
    /// <param name="id">The process id.</param>
    /// <param name="settings">The settings to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">Refused with error 605 when the new name is taken, 606 for renaming the predefined process or making it single opt-in.</exception>
    public async Task UpdateAsync(long id, OptInProcessSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await _connection.SendAsync(new ApiCall(HttpMethod.Put, "list/" + Json.IdText(id), settings.ToJson()), cancellationToken);
    }

    /// <summary>Tagflow: deletes an opt-in process (<c>DELETE /list/{id}</c>); its contacts keep it as their sign-up record.</summary>
    /// <param name="id">The process id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">Refused with error 606 for the predefined process.</exception>
    public async Task DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        await _connection.SendAsync(new ApiCall(HttpMethod.Delete, "list/" + Json.IdText(id)), cancellationToken);

    /// <summary>Tagflow: reads an opt-in process's confirmation email (<c>GET /list/{id}/email</c>).</summary>
    /// <param name="id">The process id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<OptInEmail> GetEmailAsync(long id, CancellationToken cancellationToken = default)
    {
        var e = await _connection.SendAsync(new ApiCall(HttpMethod.Get, "list/" + Json.IdText(id) + "/email"), cancellationToken);
        return new OptInEmail(Json.Text(e, "sendername"), Json.Text(e, "senderaddress"), Json.Text(e, "subject"), Json.Text(e, "text"), Json.Text(e, "html"));
    }

    internal static Uri Url(string text) => Uri.TryCreate(text, UriKind.Absolute, out var url)
        ? url
        : throw KlickTippException.UnexpectedAnswer($"Expected an absolute URL, got '{text}'.");
}
