using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;

namespace Tagflow.Bounces;

/// <summary>
/// The certificate the bounce listener offers STARTTLS with (<c>--bounce-smtp-certificate</c>): a PEM
/// file with the certificate (its chain after it) and its private key, as certbot's <c>fullchain.pem</c>
/// and <c>privkey.pem</c> put together, or a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) whose password, if
/// any, is in <c>TAGFLOW_BOUNCE_SMTP_CERTIFICATE_PASSWORD</c>. The file is read again when it changes,
/// so a renewed certificate is used from the next session on without a restart.
/// </summary>
internal sealed partial class BounceCertificate(string path, ILogger logger) : ICertificateFactory
{
    public const string PasswordVariable = "TAGFLOW_BOUNCE_SMTP_CERTIFICATE_PASSWORD";

    private readonly Lock _lock = new();
    private X509Certificate2 _current = Load(path);
    private DateTime _writtenAt = File.GetLastWriteTimeUtc(path);

    /// <summary>The certificate with its private key from the file; throws <see cref="AdminException"/> saying what is wrong with it.</summary>
    public static X509Certificate2 Load(string path)
    {
        try
        {
            var certificate = IsPkcs12(path)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, Environment.GetEnvironmentVariable(PasswordVariable))
                : X509Certificate2.CreateFromPemFile(path);
            if (!certificate.HasPrivateKey)
                throw new AdminException($"--bounce-smtp-certificate {path} holds no private key: put the key in the file with the certificate.");
            return certificate;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new AdminException($"--bounce-smtp-certificate {path} cannot be read as a certificate with its private key (a PEM file with both, "
                + $"or a .pfx file whose password is in {PasswordVariable}): {e.Message}");
        }
    }

    public System.Security.Cryptography.X509Certificates.X509Certificate GetServerCertificate(ISessionContext sessionContext)
    {
        lock (_lock)
        {
            var writtenAt = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : _writtenAt;
            if (writtenAt == _writtenAt) return _current;
            _writtenAt = writtenAt;
            try
            {
                _current = Load(path);
                LogReloaded(logger, path);
            }
            catch (AdminException e)
            {
                // Half written, say, by a renewal that is not done: the one before goes on serving until the next change.
                LogNotReloaded(logger, e.Message);
            }
            return _current;
        }
    }

    private static bool IsPkcs12(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".pfx" or ".p12";

    [LoggerMessage(Level = LogLevel.Information, Message = "The bounce listener's certificate {Path} changed and was read again.")]
    private static partial void LogReloaded(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The bounce listener keeps its certificate: {Problem}")]
    private static partial void LogNotReloaded(ILogger logger, string problem);
}
