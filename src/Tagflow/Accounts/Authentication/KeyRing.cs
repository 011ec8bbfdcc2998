using System.Security.Cryptography;
using System.Text;

namespace Tagflow.Accounts;

/// <summary>
/// Developer keys and the X-Ci header (WIRE.md, "Authentication").
/// A developer key is HMAC-SHA256(server key, developer salt): the server key lives in a file beside
/// the database (never in it), so a copy of the database alone holds no usable key.
/// </summary>
internal sealed class KeyRing(byte[] serverKey)
{
    private const int MacLength = 32;

    public string DeveloperKey(byte[] salt) => Convert.ToHexStringLower(HMACSHA256.HashData(serverKey, salt));

    /// <summary>
    /// A webhook's signing secret in the Standard Webhooks form (<c>whsec_</c> and the base64 of 32
    /// bytes), derived from its seed like a developer key, so the database never holds it.
    /// </summary>
    public string WebhookSecret(byte[] seed) =>
        "whsec_" + Convert.ToBase64String(HMACSHA256.HashData(serverKey, (byte[])[.. "tagflow webhook secret"u8, .. seed]));

    /// <summary>
    /// The signature of a bounce address (<see cref="Bounces.BounceAddresses"/>) over <paramref name="data"/>,
    /// with a key derived from the server key like the others, so that nobody without the key file can make one.
    /// </summary>
    public byte[] BounceMac(string data) =>
        HMACSHA256.HashData(HMACSHA256.HashData(serverKey, "tagflow bounce address"u8), Encoding.UTF8.GetBytes(data));

    /// <summary>The X-Ci value a client sends: base64(HMAC-SHA256(hex-decoded developer key, customer key) ‖ customer key).</summary>
    public static string ComputeXCi(string developerKey, string customerKey)
    {
        var ck = Encoding.UTF8.GetBytes(customerKey);
        return Convert.ToBase64String([.. HMACSHA256.HashData(Convert.FromHexString(developerKey), ck), .. ck]);
    }

    /// <summary>Splits an X-Ci header into MAC and customer key; null when it is not well formed.</summary>
    public static (byte[] Mac, string CustomerKey)? SplitXCi(string header)
    {
        var bytes = new byte[header.Length];
        if (!Convert.TryFromBase64String(header.Trim(), bytes, out var length) || length <= MacLength)
            return null;
        var customerKey = Encoding.UTF8.GetString(bytes, MacLength, length - MacLength);
        return (bytes[..MacLength], customerKey);
    }

    public bool MacMatches(byte[] mac, byte[] developerSalt, string customerKey)
    {
        var expected = HMACSHA256.HashData(Convert.FromHexString(DeveloperKey(developerSalt)), Encoding.UTF8.GetBytes(customerKey));
        return CryptographicOperations.FixedTimeEquals(mac, expected);
    }

    /// <summary>
    /// A value that tells whether a key file is the one a database was set up with, without
    /// revealing the key: stored in the database, compared at every start.
    /// </summary>
    public string Fingerprint() => Convert.ToHexStringLower(HMACSHA256.HashData(serverKey, "tagflow server key fingerprint"u8));

    /// <summary>Loads an existing server key file.</summary>
    public static KeyRing Load(string path)
    {
        var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        if (key.Length < 32) throw new InvalidOperationException($"The key file {path} holds fewer than 32 bytes.");
        return new KeyRing(key);
    }

    /// <summary>Loads the server key file, creating it (owner-only) when it does not exist yet.</summary>
    public static KeyRing LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            // Written aside and moved in, so a second process never reads a half-written file.
            var temp = path + "." + Secrets.NewToken(4) + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var w = new StreamWriter(temp, Encoding.ASCII, options))
                w.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp); // another process created it first: use theirs
            }
        }
        return Load(path);
    }
}
