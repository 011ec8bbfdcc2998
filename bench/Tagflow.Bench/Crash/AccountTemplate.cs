namespace Tagflow.Bench.Crash;

/// <summary>
/// A database holding only the suite's account, made once with the admin commands (about 5 s of
/// their start-ups and password hashing), and copied with its key file to each trial: every trial
/// still begins on a fresh file with nothing but the account in it.
/// </summary>
internal sealed class AccountTemplate
{
    public const string DatabaseName = "tagflow.db";
    private readonly string _directory;
    private readonly Credentials _credentials;

    private AccountTemplate(string directory, Credentials credentials) => (_directory, _credentials) = (directory, credentials);

    public static async Task<AccountTemplate> CreateAsync(string serverPath, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var credentials = await TagflowServer.CreateAccountAsync(serverPath, Path.Combine(directory, DatabaseName), cancellationToken);
        return new AccountTemplate(directory, credentials);
    }

    /// <summary>Copies the database and its key file (<c>tagflow.db.key</c>) into <paramref name="directory"/>; the account's credentials.</summary>
    public Credentials CopyTo(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(_directory, DatabaseName + "*"))
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        return _credentials;
    }
}
