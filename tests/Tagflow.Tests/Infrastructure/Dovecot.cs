using System.Diagnostics;
using System.Globalization;

namespace Tagflow.Tests.Infrastructure;

/// <summary>
/// A real IMAP server for a test: Debian's Dovecot (<c>apt-get install dovecot-imapd</c>; .ci/run
/// installs it), started in the foreground with a configuration of its own in a temporary folder, on
/// a free loopback port, with one user and a Maildir, and stopped (its folder deleted) when disposed.
/// Dovecot rather than an IMAP server written for the tests: MailKit's client then meets the server
/// people run, its SEARCH, flags, UIDPLUS and EXPUNGE included.
/// </summary>
public sealed class Dovecot : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/dovecot";
    public const string User = "bounces";
    public const string Password = "bounce secret";

    private readonly Process _process;
    private readonly string _directory;

    private Dovecot(Process process, string directory, int port) => (_process, _directory, Port) = (process, directory, port);

    public int Port { get; }

    /// <summary>The URL Tagflow's <c>--bounce-imap</c> takes for this server's INBOX.</summary>
    public string Url => $"imap://{User}:{Uri.EscapeDataString(Password)}@127.0.0.1:{Port}/INBOX";

    public static async Task<Dovecot> StartAsync()
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: apt-get install -y dovecot-imapd (.ci/run installs it).");
        var directory = Directory.CreateTempSubdirectory("tagflow-dovecot-").FullName;
        var port = FreePort.Next();
        var mail = Path.Combine(directory, "mail");
        Directory.CreateDirectory(mail);
        // Mail is kept as Dovecot's own user, which it will run as (never as root).
        var owner = Id("-u", "dovecot");
        var group = Id("-g", "dovecot");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101); // Dovecot's processes reach their files
        await File.WriteAllTextAsync(Path.Combine(directory, "passwd"), $"{User}:{{PLAIN}}{Password}\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "dovecot.conf"), $$"""
            base_dir = {{directory}}/run
            state_dir = {{directory}}/state
            log_path = {{directory}}/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:{{mail}}/%u
            first_valid_uid = {{owner}}
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{directory}}/passwd
            }
            userdb {
              driver = static
              args = uid={{owner}} gid={{group}} home={{mail}}/%u
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{port}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service stats {
              unix_listener stats-reader {
                mode = 0600
              }
              unix_listener stats-writer {
                mode = 0600
              }
            }
            """);
        Chown(mail, owner, group);
        var process = Process.Start(new ProcessStartInfo(Executable, ["-F", "-c", Path.Combine(directory, "dovecot.conf")])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        })!;
        var dovecot = new Dovecot(process, directory, port);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var socket = new System.Net.Sockets.TcpClient();
                await socket.ConnectAsync("127.0.0.1", port);
                return dovecot;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 100 && !process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (System.Net.Sockets.SocketException)
            {
                var log = File.Exists(Path.Combine(directory, "dovecot.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "dovecot.log")) : "";
                await dovecot.DisposeAsync();
                throw new InvalidOperationException($"Dovecot did not start: {await process.StandardError.ReadToEndAsync()} {log}");
            }
        }
    }

    private static string Id(string what, string name)
    {
        using var id = Process.Start(new ProcessStartInfo("id", [what, name]) { RedirectStandardOutput = true })!;
        var text = id.StandardOutput.ReadToEnd().Trim();
        id.WaitForExit();
        return int.Parse(text, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    private static void Chown(string path, string owner, string group)
    {
        using var chown = Process.Start("chown", ["-R", $"{owner}:{group}", path]);
        chown.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
