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
        return new OptInProcess(Json.Id(Json.Text(p, "listid")), Json.Text(p, "name"), Json.Text(p, "pendingurl"), Json.Text(p, "thankyouurl"),
            Json.Flag(p, "usesingleoptin"), Json.Flag(p, "resendconfirmationemail"), Json.Flag(p, "usechangeemail"));
    }

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

    internal static Uri Url(string text) => Uri.TryCreate(text, UriKind.Absolute, out var url)
        ? url
        : throw KlickTippException.UnexpectedAnswer($"Expected an absolute URL, got '{text}'.");
}
