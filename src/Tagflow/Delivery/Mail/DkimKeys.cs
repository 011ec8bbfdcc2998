using System.Collections.Concurrent;
using System.Security.Cryptography;
using MimeKit;
using MimeKit.Cryptography;

namespace Tagflow.Delivery;

/// <summary>
/// The DKIM keys Tagflow signs with: one PEM file per sending domain and selector in a folder, named
/// as its DNS record is (<c>tagflow._domainkey.example.com.pem</c>). Every message sent through the
/// SMTP relay whose From address is at a domain with a key is signed (RSA-SHA256, relaxed/relaxed),
/// covering the headers inbox providers look at, the one-click unsubscribe headers among them (RFC 8058
/// asks for them to be signed). The folder is read again when it changes, so a key made while the
/// server runs is used from the next message on.
/// </summary>
internal sealed class DkimKeys(string directory, ILogger logger)
{
    /// <summary>The selector a new key gets unless told otherwise.</summary>
    public const string DefaultSelector = "tagflow";

    private const string Infix = "._domainkey.";

    /// <summary>The headers signed, when the message has them; From always.</summary>
    private static readonly HeaderId[] Signed =
    [
        HeaderId.From, HeaderId.Sender, HeaderId.ReplyTo, HeaderId.To, HeaderId.Cc, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId,
        HeaderId.MimeVersion, HeaderId.ContentType, HeaderId.ContentTransferEncoding, HeaderId.ListUnsubscribe, HeaderId.ListUnsubscribePost,
    ];

    private readonly ConcurrentDictionary<string, DkimSigner> _signers = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The folder's last change when it was read, in ticks.</summary>
    private long _read = -1;
    private readonly Lock _reading = new();

    public string Directory => directory;

    /// <summary>The file of a domain's key with a selector.</summary>
    public static string FileName(string domain, string selector) => $"{selector}{Infix}{domain}.pem";

    /// <summary>
    /// Signs <paramref name="message"/> if its From domain has a key; true if it did. The message is
    /// first made 7-bit clean, so that no relay re-encodes (and so breaks) what was signed.
    /// </summary>
    public bool Sign(MimeMessage message)
    {
        if (message.From.Mailboxes.FirstOrDefault()?.Domain is not { Length: > 0 } domain) return false;
        Refresh();
        if (!_signers.TryGetValue(domain, out var signer)) return false;
        try
        {
            message.Prepare(EncodingConstraint.SevenBit);
            lock (signer) // the queue's connections sign at once; one key signs one message at a time
                signer.Sign(message, [.. Signed.Where(h => h == HeaderId.From || message.Headers.Contains(h))]);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Better unsigned than not sent: the relay or the receiver decides what an unsigned message is worth.
            logger.LogWarning("A message from {Domain} could not be DKIM-signed and goes out unsigned: {Reason}", domain, e.Message);
            return false;
        }
    }

    /// <summary>Reads the folder again when it changed since it was last read (a file added, replaced or removed).</summary>
    private void Refresh()
    {
        var changed = System.IO.Directory.Exists(directory) ? System.IO.Directory.GetLastWriteTimeUtc(directory).Ticks : 0;
        if (changed == Volatile.Read(ref _read)) return;
        lock (_reading)
        {
            if (changed == _read) return;
            _signers.Clear();
            if (System.IO.Directory.Exists(directory))
            {
                foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + Infix + "*.pem"))
                {
                    var name = Path.GetFileNameWithoutExtension(path);
                    var at = name.IndexOf(Infix, StringComparison.Ordinal);
                    var (selector, domain) = (name[..at], name[(at + Infix.Length)..]);
                    try
                    {
                        _signers[domain] = new DkimSigner(path, domain, selector, DkimSignatureAlgorithm.RsaSha256)
                        {
                            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                        };
                    }
                    catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidCastException or UnauthorizedAccessException)
                    {
                        logger.LogWarning("The DKIM key {Path} cannot be read, so mail from {Domain} goes out unsigned: {Reason}", path, domain, e.Message);
                    }
                }
            }
            Volatile.Write(ref _read, changed);
        }
    }

    /// <summary>
    /// Makes a 2048-bit RSA key for <paramref name="domain"/> and <paramref name="selector"/>, writes it
    /// (readable by its owner only), and returns the DNS record to publish. An existing key is kept:
    /// replacing it would break the signatures of mail already on its way.
    /// </summary>
    public static (string Path, string RecordName, string RecordValue) Create(string directory, string domain, string selector)
    {
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName(domain, selector));
        if (File.Exists(path)) throw new AdminException($"{path} exists already: choose another selector (--selector) to make a new key.");
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportRSAPrivateKeyPem() + "\n";
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temporary, options))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(pem);
            writer.Flush();
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path);
        return (path, $"{selector}{Infix}{domain}", Record(rsa));
    }

    /// <summary>The DNS TXT record of a key: <c>v=DKIM1; k=rsa; p=…</c> (the public key, base64 SubjectPublicKeyInfo).</summary>
    public static string Record(RSA rsa) => $"v=DKIM1; k=rsa; p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}";

    /// <summary>The keys in a folder, with their DNS records, for <c>tagflow dkim list</c>.</summary>
    public static IEnumerable<(string RecordName, string RecordValue)> List(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) yield break;
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + Infix + "*.pem").Order(StringComparer.Ordinal))
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(path));
            yield return (Path.GetFileNameWithoutExtension(path), Record(rsa));
        }
    }
}
