using System.Net;

namespace Tagflow.Bounces;

/// <summary>
/// How bounces come back: the domain of the bounce addresses (without it, emails go out with their
/// sender as envelope sender, and nothing comes back), Tagflow's own SMTP listener for that domain,
/// and a mailbox polled over IMAP; and when soft bounces count as a hard one.
/// </summary>
internal sealed record BounceSettings
{
    /// <summary>The domain of the bounce addresses <c>bounce+token@domain</c>; null: no bounce addresses.</summary>
    public string? Domain { get; init; }
    /// <summary>Where Tagflow's SMTP listener for the bounce domain listens; null: none.</summary>
    public IPEndPoint? SmtpListen { get; init; }
    /// <summary>The certificate file the SMTP listener offers STARTTLS with (<see cref="BounceCertificate"/>); null: no STARTTLS.</summary>
    public string? SmtpCertificate { get; init; }
    /// <summary>The largest message the SMTP listener takes: bounces carry at most a copy of the email, and complaints its headers.</summary>
    public int SmtpMaxBytes { get; init; } = 10 * 1024 * 1024;
    /// <summary>The most sessions the SMTP listener holds at once; more connections are answered 421 (try again later).</summary>
    public int SmtpMaxSessions { get; init; } = 100;
    /// <summary>How long a session of the SMTP listener may last in all, however busy (each command is waited for 5 minutes at most).</summary>
    public TimeSpan SmtpSessionTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>The mailbox polled for bounces; null: none.</summary>
    public ImapTarget? Imap { get; init; }
    public TimeSpan ImapPoll { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>This many soft bounces within <see cref="SoftDays"/> days make a hard bounce.</summary>
    public int SoftLimit { get; init; } = 3;
    public int SoftDays { get; init; } = 30;

    /// <summary>What the start-up message says about bounces; null without a bounce domain.</summary>
    public string? Describe() => Domain is null ? null
        : $"Emails through --smtp go out from bounce addresses at {Domain}; bounces are read "
          + string.Join(" and ", new[] { SmtpListen is { } at ? $"by SMTP on {at}{(SmtpCertificate is null ? "" : " (STARTTLS)")}" : null, Imap is { } box ? $"from {box}" : null }.OfType<string>().DefaultIfEmpty("nowhere (neither --bounce-smtp nor --bounce-imap)"))
          + $"; {SoftLimit} soft bounces within {SoftDays} days make a hard one.";

    public const string ListenHelp = "--bounce-smtp must be an address and port to listen on, such as 0.0.0.0:2525 or [::]:25.";

    /// <summary>An address and port such as <c>0.0.0.0:2525</c>; null if the text is not one.</summary>
    public static IPEndPoint? ParseListen(string text) =>
        IPEndPoint.TryParse(text.Trim(), out var endpoint) && endpoint.Port > 0 ? endpoint : null;
}

/// <summary>
/// The mailbox <c>--bounce-imap</c> names: <c>imaps://user:password@host:993/INBOX</c> (TLS from the
/// first byte) or <c>imap://…:143/Folder</c> (STARTTLS whenever offered, required for a password sent
/// to another machine); user and password URL-encoded, the folder INBOX when none is given.
/// </summary>
internal sealed record ImapTarget(string Host, int Port, bool ImplicitTls, string User, string Password, string Folder)
{
    public const string Help = "--bounce-imap must look like imaps://user:password@host:993/INBOX or imap://user:password@host:143/Folder "
        + "(user and password URL-encoded).";

    public static ImapTarget? Parse(string? text)
    {
        if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) || uri.Host.Length == 0 || uri.Query.Length > 0) return null;
        var implicitTls = uri.Scheme switch { "imaps" => true, "imap" => false, _ => (bool?)null };
        if (implicitTls is null || uri.UserInfo.Length == 0) return null;
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (implicitTls.Value ? 993 : 143) : uri.Port;
        var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
        var password = colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        var folder = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        return new ImapTarget(uri.IdnHost, port, implicitTls.Value, user, password, folder.Length > 0 ? folder : "INBOX");
    }

    /// <summary>Where bounces are read, for the log and the start-up message: never the password.</summary>
    public override string ToString() => $"{(ImplicitTls ? "imaps" : "imap")}://{Uri.EscapeDataString(User)}@{Host}:{Port}/{Folder}";
}
