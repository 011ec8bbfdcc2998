using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Tagflow.Data;

namespace Tagflow.Email;

/// <summary>Hands a message to whatever delivers Tagflow's mail.</summary>
internal interface IMailRelay
{
    /// <summary>What the start-up message says about where mail goes.</summary>
    string Description { get; }

    /// <summary>Returns once the relay has accepted the message; throws <see cref="MailNotSentException"/> if it has not.</summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the relay that messages were stored for delivery (<see cref="OutboxMail"/> rows, added to
    /// a change with <see cref="OutboxRelay.Prepare"/>) and committed: it delivers them in the
    /// background, in the order they were stored, and deletes each row once delivered.
    /// </summary>
    void Wake();
}

/// <summary>The relay refused a message, or could not be reached in time; the message is not sent.</summary>
internal sealed class MailNotSentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Delivery through an SMTP server with MailKit: one connection per message, STARTTLS whenever the
/// server offers it on <c>smtp://</c>, TLS from the start on <c>smtps://</c>, the server's
/// certificate checked as usual. Each message must be accepted within <see cref="Timeout"/>.
/// </summary>
internal sealed class SmtpRelay(SmtpTarget target, TimeSpan timeout, ILogger<SmtpRelay> logger, SmtpQueue? queue = null) : IMailRelay, IDisposable
{
    public TimeSpan Timeout => timeout;

    public string Description => $"Email goes out through {target}.";

    public void Wake() => queue?.Wake();

    public void Dispose() => queue?.Dispose();

    /// <summary>A client connected (and logged in) to the relay.</summary>
    public static async Task<SmtpClient> ConnectAsync(SmtpTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)timeout.TotalMilliseconds };
        // Our own socket, to turn off Nagle's algorithm: MailKit writes a message in 4 KB pieces, and
        // with Nagle each message longer than that waits for the relay's delayed ACK (about 40 ms),
        // which held a queue of campaign emails to some 20 a second.
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target.Host, target.Port, cancellationToken);
            await client.ConnectAsync(socket, target.Host, target.Port, SocketOptions(target), cancellationToken);
            if (target.User is not null) await client.AuthenticateAsync(target.User, target.Password ?? "", cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var client = await ConnectAsync(target, timeout, deadline.Token);
            await client.SendAsync(message, deadline.Token);
            await client.DisconnectAsync(quit: true, deadline.Token);
        }
        catch (Exception e) when (e is TimeoutException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The mail relay {Relay} did not accept a message within {Seconds} s.", target, timeout.TotalSeconds);
            throw new MailNotSentException($"The mail relay did not accept the message within {timeout.TotalSeconds:0} s.", e);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or AuthenticationException or SslHandshakeException
            or IOException or System.Net.Sockets.SocketException or ServiceNotConnectedException or NotSupportedException)
        {
            logger.LogWarning("The mail relay {Relay} refused a message or could not be reached: {Reason}", target, e.Message);
            throw new MailNotSentException($"The mail relay refused the message or could not be reached: {e.Message}", e);
        }
    }
    /// <summary>
    /// TLS from the start on smtps://; on smtp:// STARTTLS whenever offered, and required when there is
    /// a password to send (so that nobody between can strip the offer and read it), except to a relay
    /// on this machine.
    /// </summary>
    private static SecureSocketOptions SocketOptions(SmtpTarget target) =>
        target.ImplicitTls ? SecureSocketOptions.SslOnConnect
        : target.User is not null && !IsLoopback(target.Host) ? SecureSocketOptions.StartTls
        : SecureSocketOptions.StartTlsWhenAvailable;

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address);
}

/// <summary>
/// With no SMTP server configured: each message is written as an <c>.eml</c> file into a folder,
/// so that the whole flow works on a bare machine (open the file, follow its link).
/// <para>
/// A message that belongs to a change (a new contact's confirmation email) is stored in the
/// database with that change (<see cref="Prepare"/>, <see cref="OutboxMail"/>): it is on disk
/// exactly when the change is, at no cost beyond the change's own commit. One writer thread then
/// puts the stored messages into their files and deletes them from the database once the files
/// are on disk; it also looks every few seconds, for messages stored by another instance or before
/// a crash. A message sent on its own (<see cref="SendAsync"/>) is written straight away.
/// </para>
/// <para>
/// The writer takes every message waiting at once: it writes each to a hidden temporary file,
/// flushes them all to disk, renames them into place and flushes again, so a batch costs two
/// flushes rather than two per message (on Linux through <c>syncfs</c>; elsewhere each file is
/// flushed on its own). File names come from the message, so a file written twice (a crash between
/// the flush and the delete) is the same file.
/// </para>
/// </summary>
internal sealed class OutboxRelay : IMailRelay, IDisposable
{
    /// <summary>At most this many messages share the flushes, so that no answer waits long behind the others.</summary>
    private const int MaxBatch = 64;

    /// <summary>How often the writer looks for stored messages without being told of any.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    /// <summary>How often, at most, the rows of written messages are deleted on SQLite.</summary>
    private static readonly TimeSpan ForgetEvery = TimeSpan.FromSeconds(1);

    /// <summary>The queue item that only says "look in the database".</summary>
    private static readonly Pending Stored = new("", []);

    private readonly BlockingCollection<Pending> _queue = new();
    private readonly IServiceScopeFactory? _scopes;
    private readonly SqliteWriteGate? _gate;
    private readonly ILogger _logger;
    private readonly Thread _writer;
    private int _wakePending;

    /// <summary>SQLite: the highest id whose file is on disk, and the highest deleted (<see cref="WriteStoredSqlite"/>).</summary>
    private long _written, _forgotten;
    private DateTime _lastForget;

    /// <summary>An outbox for messages sent on their own only (no database), as in tests of the writer itself.</summary>
    public OutboxRelay(string directory) : this(directory, null, null, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
    {
    }

    public OutboxRelay(string directory, IServiceScopeFactory? scopes, SqliteWriteGate? gate, ILogger logger)
    {
        Directory = directory;
        _scopes = scopes;
        _gate = gate;
        _logger = logger;
        _writer = new Thread(Write) { IsBackground = true, Name = "Tagflow outbox writer" };
        _writer.Start();
    }

    public string Directory { get; }

    /// <summary>
    /// SQLite: the highest id whose file is on disk. Its row, and those before it, are deleted a few
    /// seconds later at most; they no longer wait for delivery. 0 on PostgreSQL, where a row goes with its file.
    /// </summary>
    public long WrittenThrough => Volatile.Read(ref _written);

    public string Description => $"No SMTP server configured (--smtp): emails are written to {Directory} as .eml files.";

    /// <summary>The message as the row that stores it with a change; add it to the change's context, then call <see cref="Wake"/> once committed.</summary>
    public static OutboxMail Prepare(MimeMessage message, DateTime now)
    {
        using var content = new MemoryStream();
        message.WriteTo(content);
        return new OutboxMail { FileName = FileName(now), Content = content.ToArray(), CreatedAt = now };
    }

    /// <summary>Tells the writer that stored messages are waiting.</summary>
    public void Wake()
    {
        try
        {
            if (Interlocked.Exchange(ref _wakePending, 1) == 0 && !_queue.TryAdd(Stored)) _wakePending = 0;
        }
        catch (InvalidOperationException)
        {
            // Stopping: what is stored is written at the next start.
        }
    }

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var mail = Prepare(message, DateTime.UtcNow); // into memory: nothing to wait for
        var pending = new Pending(mail.FileName, mail.Content);
        try
        {
            _queue.Add(pending, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw new MailNotSentException("Tagflow is shutting down; the email was not written.", e);
        }
        await pending.Written.Task.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _writer.Join(TimeSpan.FromSeconds(10));
    }

    private static string FileName(DateTime now) => $"{now:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid():N}.eml";

    private void Write()
    {
        var batch = new List<Pending>(MaxBatch);
        WriteStored(); // what an earlier run left
        while (!_queue.IsCompleted)
        {
            var lookInDatabase = true;
            try
            {
                if (_queue.TryTake(out var first, Poll))
                {
                    lookInDatabase = false;
                    for (var next = first; next is not null; next = batch.Count < MaxBatch && _queue.TryTake(out var more) ? more : null)
                    {
                        if (ReferenceEquals(next, Stored)) lookInDatabase = true;
                        else batch.Add(next);
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // completed while waiting: one last look below
            }
            if (batch.Count > 0) WriteBatch(batch, flush: true);
            batch.Clear();
            if (lookInDatabase) WriteStored();
        }
    }

    /// <summary>Writes the messages stored in the database into their files, then deletes them there.</summary>
    private void WriteStored()
    {
        if (_scopes is null) return;
        _wakePending = 0;
        try
        {
            int count;
            do
            {
                using var scope = _scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
                count = db is SqliteTagflowDb ? WriteStoredSqlite(db) : WriteStoredClaimed(db);
            }
            while (count == MaxBatch);
        }
        catch (ObjectDisposedException)
        {
            // The server is stopping; what is stored stays for the next start.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning(e, "The outbox could not write the stored emails; it tries again in {Seconds} s.", Poll.TotalSeconds);
        }
    }

    /// <summary>
    /// SQLite: one process serves the file, so the writer keeps in memory how far it has written (ids
    /// only grow). The rows are the durable copy: the files are written without flushes, and about
    /// once a second one flush puts all of them on disk and one transaction under the writer gate
    /// deletes their rows, rather than flushes and a delete per batch that would compete with the
    /// requests' commits for the disk. After a restart it starts from the rows still there.
    /// </summary>
    private int WriteStoredSqlite(TagflowDb db)
    {
        var after = _written;
        var stored = db.OutboxMails.AsNoTracking().Where(m => m.Id > after).OrderBy(m => m.Id).Take(MaxBatch).ToList();
        var written = WriteRows(stored, flush: false).ToHashSet();
        // Only up to the first message that could not be written: the rest waits for the next look.
        foreach (var mail in stored.TakeWhile(m => written.Contains(m.Id))) Volatile.Write(ref _written, mail.Id);
        if (_written > _forgotten && DateTime.UtcNow - _lastForget >= ForgetEvery)
        {
            var upTo = _written;
            // The files were written without a flush of their own: one flush for all of them before
            // their rows go. After a crash before this point the rows are still there, and the files
            // are written again.
            FlushFileSystem();
            _gate!.Semaphore.Wait();
            try
            {
                db.OutboxMails.Where(m => m.Id <= upTo).ExecuteDelete();
            }
            finally
            {
                _gate.Semaphore.Release();
            }
            (_forgotten, _lastForget) = (upTo, DateTime.UtcNow);
        }
        return written.Count == stored.Count ? stored.Count : 0;
    }

    /// <summary>PostgreSQL: several instances may share the database; each claims rows that no other holds.</summary>
    private int WriteStoredClaimed(TagflowDb db)
    {
        using var transaction = db.Database.BeginTransaction();
        var stored = db.OutboxMails
            .FromSql($"SELECT * FROM \"OutboxMails\" ORDER BY \"Id\" LIMIT {MaxBatch} FOR UPDATE SKIP LOCKED")
            .AsNoTracking().ToList();
        var written = WriteRows(stored, flush: true);
        if (written.Count > 0) db.OutboxMails.Where(m => written.Contains(m.Id)).ExecuteDelete();
        transaction.Commit();
        // After a failed write, wait for the next look rather than read the same rows again at once.
        return written.Count == stored.Count ? stored.Count : 0;
    }

    private List<long> WriteRows(List<OutboxMail> stored, bool flush)
    {
        if (stored.Count == 0) return [];
        var pending = stored.Select(m => new Pending(m.FileName, m.Content)).ToList();
        WriteBatch(pending, flush);
        return stored.Where((_, i) => pending[i].Written.Task.IsCompletedSuccessfully).Select(m => m.Id).ToList();
    }

    /// <summary>
    /// Writes each message to a temporary file and renames it into place; with <paramref name="flush"/>
    /// the files are on disk before the renames, and the renames before this returns.
    /// </summary>
    private void WriteBatch(List<Pending> batch, bool flush)
    {
        var written = new List<Pending>(batch.Count);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            foreach (var pending in batch)
            {
                try
                {
                    using var file = new FileStream(Temporary(pending), FileMode.Create, FileAccess.Write, FileShare.None, 4096);
                    file.Write(pending.Content);
                    // Without syncfs there is no flush of them all later: each file is flushed now.
                    if (!OperatingSystem.IsLinux()) file.Flush(flushToDisk: true);
                    written.Add(pending);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Fail(pending, e);
                }
            }
            if (written.Count == 0) return;
            if (flush) FlushFileSystem();
            foreach (var pending in written) File.Move(Temporary(pending), Final(pending), overwrite: true);
            if (flush) FlushFileSystem();
            foreach (var pending in written) pending.Written.TrySetResult();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var pending in batch) Fail(pending, e);
        }
    }

    private void Fail(Pending pending, Exception e)
    {
        foreach (var path in new[] { Temporary(pending), Final(pending) })
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception deleting) when (deleting is IOException or UnauthorizedAccessException)
            {
                // nothing was written, or the folder itself is out of reach
            }
        }
        _logger.LogWarning("The email {File} could not be written to {Directory}: {Reason}", pending.Name, Directory, e.Message);
        pending.Written.TrySetException(new MailNotSentException($"The email could not be written to {Directory}: {e.Message}", e));
    }

    /// <summary>
    /// On Linux, <c>syncfs</c> on the folder's file system: every file written so far (or its rename)
    /// reaches the disk in one journal commit. Elsewhere the files were flushed one by one, and a
    /// rename is as durable as the platform makes it.
    /// </summary>
    private void FlushFileSystem()
    {
        if (!OperatingSystem.IsLinux()) return;
        // Any file of the folder's file system will do; an empty hidden one that is always there.
        using var handle = File.OpenHandle(Path.Combine(Directory, ".sync"), FileMode.OpenOrCreate, FileAccess.Read);
        if (SyncFileSystem(handle.DangerousGetHandle().ToInt32()) != 0)
            throw new IOException($"syncfs failed with error {Marshal.GetLastPInvokeError()}.");
    }

    private string Temporary(Pending pending) => Path.Combine(Directory, "." + pending.Name + ".tmp");

    private string Final(Pending pending) => Path.Combine(Directory, pending.Name);

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for one call with an int
    private static extern int SyncFileSystem(int fd);
#pragma warning restore SYSLIB1054

    private sealed record Pending(string Name, byte[] Content)
    {
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A message stored with the change that sends it, until the outbox writer has put it into its file.</summary>
internal sealed class OutboxMail
{
    public long Id { get; set; }
    public required string FileName { get; set; }
    public required byte[] Content { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>How often an SMTP relay has put this message off (a 4xx answer for it alone, such as a full mailbox).</summary>
    public int Attempts { get; set; }
    /// <summary>After a put-off, the message waits until then; the others go on meanwhile.</summary>
    public DateTime? NotBefore { get; set; }
}
