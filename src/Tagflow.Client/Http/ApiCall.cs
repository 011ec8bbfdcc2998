using System.Text.Json.Nodes;

namespace Tagflow.Client.Http;

/// <summary>
/// What a failed attempt may be followed by. Every call may be retried when the server certainly did not
/// act on it (429, or no connection could be made); <see cref="Repeatable"/> calls also after a 5xx, a
/// timeout or a broken connection, when the server may already have acted.
/// </summary>
internal enum Repeat
{
    /// <summary>Repeating it leaves the same state: reads, updates, deletes, add-or-update, tag, untag, unsubscribe.</summary>
    Repeatable,

    /// <summary>Repeating it may act twice: creating a tag or a field, sending an email again.</summary>
    OnlyIfNotReceived,
}

/// <summary>One call of the wire API: method, path relative to the base address (query included), JSON body.</summary>
internal sealed record ApiCall(HttpMethod Method, string Path, JsonObject? Body = null, bool Authenticated = true, Repeat Repeat = Repeat.Repeatable);
