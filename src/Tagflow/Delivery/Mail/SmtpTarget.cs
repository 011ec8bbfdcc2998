namespace Tagflow.Delivery;

/// <summary>
/// The mail relay an operator names with <c>--smtp</c>: <c>smtp://user:pass@host:port</c> (STARTTLS
/// whenever the server offers it) or <c>smtps://…</c> (TLS from the first byte). User and password
/// are optional and URL-encoded (<c>%40</c> for an <c>@</c> in a password).
/// </summary>
internal sealed record SmtpTarget(string Host, int Port, bool ImplicitTls, string? User, string? Password)
{
    public const string Help = "--smtp must look like smtp://user:password@host:587 or smtps://user:password@host:465 (user and password optional, URL-encoded).";

    /// <summary>The relay a URL names, or null if it is not an smtp:// or smtps:// URL with a host.</summary>
    public static SmtpTarget? Parse(string? text)
    {
        if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) || uri.Host.Length == 0) return null;
        var implicitTls = uri.Scheme switch { "smtps" => true, "smtp" => false, _ => (bool?)null };
        if (implicitTls is null || uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0) return null;
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (implicitTls.Value ? 465 : 25) : uri.Port;
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        return new SmtpTarget(uri.IdnHost, port, implicitTls.Value, user, password);
    }

    /// <summary>Where mail goes, for the log and the start-up message: never the password.</summary>
    public override string ToString() => $"{(ImplicitTls ? "smtps" : "smtp")}://{(User is null ? "" : Uri.EscapeDataString(User) + "@")}{Host}:{Port}";
}
