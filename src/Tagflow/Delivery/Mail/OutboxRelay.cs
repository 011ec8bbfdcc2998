using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Tagflow.Data;

namespace Tagflow.Delivery;

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
/// The writer takes every message waiting at once and writes them as one batch
/// (<see cref="OutboxFiles"/>), so a batch costs two flushes rather than two per message.
/// </para>
/// <para>
/// The writer runs on a thread of its own (<see cref="BackgroundLoop.RunOnOwnThread"/>): it blocks
/// on purpose, in syncfs (which waits for the disk, tens of milliseconds a batch), in file writes and
/// renames, and on the SQLite writer gate; on the thread pool that would hold threads the requests
/// need. The host starts it; a message sent, or a wake, starts it where no host does. When it stops,
/// it writes what is queued, and a message sent after that is refused.
/// </para>
/// </summary>
internal sealed class OutboxRelay : BackgroundLoop, IMailRelay, ICommitListener
{
    /// <summary>At most this many messages share the flushes, so that no answer waits long behind the others.</summary>
    private const int MaxBatch = 64;

    /// <summary>How often the writer looks for stored messages without being told of any.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    /// <summary>How often, at most, the rows of written messages are deleted on SQLite.</summary>
    private static readonly TimeSpan ForgetEvery = TimeSpan.FromSeconds(1);

    /// <summary>The queue item that only says "look in the database".</summary>
    private static readonly OutboxFile Stored = new("", []);

    private readonly BlockingCollection<OutboxFile> _queue = new();
    private readonly OutboxFiles _files;
    private readonly IServiceScopeFactory? _scopes;
    private readonly SqliteWriteGate? _gate;
    private int _wakePending;

    /// <summary>SQLite: the highest id whose file is on disk, and the highest deleted (<see cref="WriteStoredSqlite"/>).</summary>
    private long _written, _forgotten;
    private DateTime _lastForget;

    /// <summary>An outbox for messages sent on their own only (no database), as in tests of the writer itself.</summary>
    public OutboxRelay(string directory) : this(directory, null, null, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
    {
    }

    public OutboxRelay(string directory, IServiceScopeFactory? scopes, SqliteWriteGate? gate, ILogger logger) : base("The outbox writer", logger)
    {
        _files = new OutboxFiles(directory, logger);
        _scopes = scopes;
        _gate = gate;
    }

    public string Directory => _files.Directory;

    /// <summary>
    /// SQLite: the highest id whose file is on disk. Its row, and those before it, are deleted a few
    /// seconds later at most; they no longer wait for delivery. 0 on PostgreSQL, where a row goes with its file.
    /// </summary>
    public long WrittenThrough => Volatile.Read(ref _written);

    public string Description => $"No SMTP server configured (--smtp): emails are written to {Directory} as .eml files.";

    /// <summary>The message as the row that stores it with a change: add it to the change's context; the commit wakes the relay.</summary>
    public static OutboxMail Prepare(MimeMessage message, long? accountId, DateTime now)
    {
        using var content = new MemoryStream();
        message.WriteTo(content);
        return new OutboxMail { AccountId = accountId, FileName = FileName(now), Content = content.ToArray(), CreatedAt = now };
    }

    /// <summary>A committed write that stored messages wakes the writer.</summary>
    public void Committed(CommittedWrite write)
    {
        if (write.Saved<OutboxMail>()) Wake();
    }

    /// <summary>Tells the writer that stored messages are waiting.</summary>
    public void Wake()
    {
        EnsureStarted();
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
        var mail = Prepare(message, accountId: null, DateTime.UtcNow); // into memory: nothing to wait for
        var file = new OutboxFile(mail.FileName, mail.Content);
        EnsureStarted();
        try
        {
            _queue.Add(file, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw new MailNotSentException("Tagflow is shutting down; the email was not written.", e);
        }
        await file.Written.Task.WaitAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stopping lets the writer write what is queued, then end.
        stoppingToken.Register(_queue.CompleteAdding);
        return RunOnOwnThread("Tagflow outbox writer", Write);
    }

    /// <summary>Should the writer never have run, what was sent is refused rather than left waiting; what is stored stays for the next start.</summary>
    protected override void OnStopped()
    {
        _queue.CompleteAdding();
        while (_queue.TryTake(out var file))
        {
            if (!ReferenceEquals(file, Stored)) file.Written.TrySetException(new MailNotSentException("Tagflow is shutting down; the email was not written."));
        }
    }

    private static string FileName(DateTime now) => $"{now:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid():N}.eml";

    private void Write()
    {
        var batch = new List<OutboxFile>(MaxBatch);
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
            if (batch.Count > 0) _files.Write(batch, flush: true);
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
            Logger.LogWarning(e, "The outbox could not write the stored emails; it tries again in {Seconds} s.", Poll.TotalSeconds);
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
            _files.Flush();
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
        var files = stored.Select(m => new OutboxFile(m.FileName, m.Content)).ToList();
        _files.Write(files, flush);
        return stored.Where((_, i) => files[i].Written.Task.IsCompletedSuccessfully).Select(m => m.Id).ToList();
    }
}
