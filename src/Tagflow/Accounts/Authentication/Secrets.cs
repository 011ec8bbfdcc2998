using System.Security.Cryptography;
using System.Text;

namespace Tagflow.Accounts;

/// <summary>Random tokens, lookup hashes and password hashes: the one place Tagflow makes or checks secrets.</summary>
internal static class Secrets
{
    public const int DefaultPasswordIterations = 600_000;
    private const string Scheme = "pbkdf2-sha256";

    /// <summary>A random token of <paramref name="bytes"/> bytes as lower-case hex.</summary>
    public static string NewToken(int bytes = 32) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>SHA-256 as hex: how customer keys and session ids are stored and looked up.</summary>
    public static string LookupHash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>PBKDF2-SHA256, stored as <c>pbkdf2-sha256$iterations$salt$hash</c>.</summary>
    public static string HashPassword(string password, int iterations = DefaultPasswordIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool VerifyPassword(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var iterations))
            return false;
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Spends the time of one password check, so unknown usernames answer as slowly as known ones.</summary>
    public static void BurnPasswordCheck(int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2("", new byte[16], iterations, HashAlgorithmName.SHA256, 32);
}
