using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;
using Tagflow.Accounts;
using Tagflow.Data;

namespace Tagflow.Contacts;

/// <summary>
/// Imports contact files as jobs: creates a job for a file, claims it (one importer at a time, a
/// crashed one's job is taken over after <see cref="TagflowSettings.ImportLease"/>), and runs it in
/// batches through <see cref="ContactChanges.ImportAsync"/>. Each batch commits with the job's
/// counters and the rows it refused, so an import that stops resumes after its last committed row,
/// and a re-run of a whole file changes nothing more.
/// </summary>
internal sealed partial class ContactImports(TagflowDb db, ContactChanges changes, TagflowSettings settings, TimeProvider clock, IServiceScopeFactory scopes,
    SqliteWriteGate gate, ILogger<ContactImports> logger)
{
    /// <summary>Rows per batch: one transaction, one flush to disk, a short hold on the account's writer.</summary>
    public const int BatchSize = 2_000;

    private static readonly BulkTable RefusalsTable = new("ImportRefusals",
        new("ImportId", NpgsqlDbType.Bigint), new("Line", NpgsqlDbType.Bigint), new("Column", NpgsqlDbType.Varchar),
        new("Code", NpgsqlDbType.Integer), new("Message", NpgsqlDbType.Varchar));

    /// <summary>
    /// Queues an import of the file at <paramref name="path"/> after reading its header; throws
    /// <see cref="ImportFileException"/> (nothing queued) when the header cannot be imported.
    /// </summary>
    public async Task<ImportJob> CreateAsync(long accountId, string path, bool ownsFile, string fileName, ImportOptions options, CancellationToken cancellationToken)
    {
        var refs = await ReferenceData.LoadAsync(db, accountId, cancellationToken);
        if (options.ListId is { } listId && refs.Process(listId) is null)
            throw new ImportFileException($"The account has no opt-in process {listId} (listid): GET /list names them.");
        await using (var stream = OpenFile(path)) ImportFile.CheckHeader(stream, options, refs.Fields);
        var job = new ImportJob
        {
            AccountId = accountId,
            State = ImportState.Queued,
            Format = options.Format,
            Options = options.ToJson(),
            FilePath = Path.GetFullPath(path),
            OwnsFile = ownsFile,
            FileName = fileName.Length > 250 ? fileName[..250] : fileName,
            FileBytes = new FileInfo(path).Length,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        return job;
    }

    /// <summary>Takes a queued job, or a running one whose importer stopped writing (it crashed, or let it go at shutdown); false if another has it.</summary>
    /// <remarks>
    /// The heartbeat this claim wrote is its lease: every later write of this importer to the job
    /// names it, and writes the next one. An importer that stalled past the lease and was taken over
    /// finds another heartbeat there at its next batch, and stops without writing.
    /// </remarks>
    public async Task<bool> ClaimAsync(long jobId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var stale = now - settings.ImportLease;
        var lease = NextHeartbeat(null);
        var claimed = await db.ImportJobs
            .Where(j => j.Id == jobId && (j.State == ImportState.Queued || j.State == ImportState.Running && (j.HeartbeatAt == null || j.HeartbeatAt < stale)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, ImportState.Running)
                .SetProperty(j => j.HeartbeatAt, lease)
                .SetProperty(j => j.StartedAt, j => j.StartedAt ?? now), cancellationToken) == 1;
        _lease = claimed ? (jobId, lease) : null;
        return claimed;
    }

    /// <summary>The job this importer holds, and the heartbeat it last wrote to it.</summary>
    private (long JobId, DateTime Heartbeat)? _lease;

    /// <summary>A heartbeat to write after <paramref name="last"/>: now to the millisecond (which both databases keep exactly), and never the same twice.</summary>
    private DateTime NextHeartbeat(DateTime? last)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var beat = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        return beat <= last ? last.Value.AddMilliseconds(1) : beat;
    }

    /// <summary>Writes the next heartbeat of the job if this importer still holds it; throws <see cref="ImportLeaseLostException"/> if another took it over.</summary>
    private async Task<DateTime> BeatAsync(TagflowDb db, long jobId, DateTime held, Func<IQueryable<ImportJob>, DateTime, Task<int>> update)
    {
        var next = NextHeartbeat(held);
        if (await update(db.ImportJobs.Where(j => j.Id == jobId && j.HeartbeatAt == held), next) == 0) throw new ImportLeaseLostException();
        return next;
    }

    /// <summary>
    /// The jobs this importer may take now: queued, or running with no importer writing, whose file
    /// is on this machine. On SQLite (one machine) also those whose file is gone, which then end as
    /// failed; on PostgreSQL another instance may have the file, and takes them.
    /// </summary>
    public async Task<List<long>> WaitingAsync(CancellationToken cancellationToken)
    {
        var stale = clock.GetUtcNow().UtcDateTime - settings.ImportLease;
        var waiting = await db.ImportJobs.Where(j => j.State == ImportState.Queued || j.State == ImportState.Running && (j.HeartbeatAt == null || j.HeartbeatAt < stale))
            .OrderBy(j => j.Id).Select(j => new { j.Id, j.FilePath }).ToListAsync(cancellationToken);
        return [.. waiting.Where(j => db is SqliteTagflowDb || File.Exists(j.FilePath)).Select(j => j.Id)];
    }

    /// <summary>
    /// Runs a claimed job to its end from where it stands, telling <paramref name="progress"/> after
    /// each batch. Cancelled (a shutdown), it lets the job go at once so that the next start resumes
    /// it; a file that is gone or unreadable ends it as failed, saying after which line.
    /// </summary>
    /// <param name="resumeLater">Cancelled, the job is let go for the next start to resume (a server's shutdown), rather than ended as interrupted (a user's Ctrl+C).</param>
    public async Task RunAsync(long jobId, IProgress<ImportJob>? progress, CancellationToken cancellationToken, bool resumeLater = true)
    {
        if (_lease?.JobId != jobId) throw new InvalidOperationException($"Import {jobId} runs only after this importer claimed it.");
        var job = await db.ImportJobs.AsNoTracking().SingleAsync(j => j.Id == jobId, cancellationToken);
        try
        {
            await ImportAsync(job, progress, cancellationToken);
            await EndAsync(job, ImportState.Done, null);
        }
        catch (ImportLeaseLostException)
        {
            return; // the importer that took it over goes on from its last committed batch; this one writes nothing more
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (!resumeLater) await EndAsync(job, ImportState.Failed, "It was interrupted.");
            else
            {
                var held = _lease.Value.Heartbeat;
                await db.ImportJobs.Where(j => j.Id == jobId && j.State == ImportState.Running && j.HeartbeatAt == held)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.HeartbeatAt, (DateTime?)null), CancellationToken.None);
            }
            throw;
        }
        catch (Exception e) when (e is ImportFileException or IOException or UnauthorizedAccessException)
        {
            await EndAsync(job, ImportState.Failed, e.Message);
        }
        catch (Exception)
        {
            await EndAsync(job, ImportState.Failed, "An internal error stopped it (the server's log has it).");
            throw;
        }
        progress?.Report(await db.ImportJobs.AsNoTracking().SingleAsync(j => j.Id == jobId, CancellationToken.None));
    }

    private async Task ImportAsync(ImportJob job, IProgress<ImportJob>? progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(job.FilePath)) throw new ImportFileException($"The file {job.FilePath} is not on this machine.");
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == job.AccountId, cancellationToken);
        var zone = Principal.Zone(account.TimeZone);
        var origin = new ChangeOrigin(job.AccountId, ChangeSource.Import, "") { TimeZone = zone, AccountEmail = account.Email ?? "", SignupSource = ChangeOrigin.ImportSource };
        var options = ImportOptions.FromJson(job.Options);
        var refs = await ReferenceData.LoadAsync(db, job.AccountId, cancellationToken);
        var tagIds = new ImportTagIds();

        var batch = new List<ImportRow>(BatchSize);
        var problems = new List<ImportProblem>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var (read, lastLine) = (0L, job.LinesDone);
        var clockTime = Stopwatch.StartNew();
        await using var stream = OpenFile(job.FilePath);

        async Task FlushAsync()
        {
            var (rows, refused, count, upTo, position) = (batch.ToList(), problems.ToList(), read, lastLine, stream.Position);
            var held = _lease!.Value.Heartbeat;
            var tally = await changes.ImportAsync(origin, rows, options, tagIds, async (db, tally, cancellationToken) =>
            {
                if (tally is null)
                {
                    held = await BeatAsync(db, job.Id, held, (mine, next) => mine.ExecuteUpdateAsync(s => s.SetProperty(j => j.HeartbeatAt, next), cancellationToken));
                    return;
                }
                var all = refused.Concat(tally.Refused).OrderBy(p => p.Line).ToList();
                var seconds = clockTime.Elapsed.TotalSeconds;
                clockTime.Restart();
                held = await BeatAsync(db, job.Id, held, (mine, next) => mine.ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.LinesDone, upTo)
                    .SetProperty(j => j.BytesDone, position)
                    .SetProperty(j => j.RowsRead, j => j.RowsRead + count)
                    .SetProperty(j => j.Created, j => j.Created + tally.Created)
                    .SetProperty(j => j.Updated, j => j.Updated + tally.Updated)
                    .SetProperty(j => j.Unchanged, j => j.Unchanged + tally.Unchanged)
                    .SetProperty(j => j.Skipped, j => j.Skipped + tally.Skipped)
                    .SetProperty(j => j.Refused, j => j.Refused + all.Count)
                    .SetProperty(j => j.SecondsRunning, j => j.SecondsRunning + seconds)
                    .SetProperty(j => j.HeartbeatAt, next), cancellationToken));
                await BulkInsert.WriteAsync(db, RefusalsTable,
                    [.. all.Select(p => new object?[] { job.Id, p.Line, Cut(p.Column, 250), p.Code, Cut(p.Message, 1000) })], cancellationToken);
            }, cancellationToken);
            _lease = (job.Id, held); // committed with the batch
            batch.Clear();
            problems.Clear();
            keys.Clear();
            read = 0;
            if (progress is not null) progress.Report(await db.ImportJobs.AsNoTracking().SingleAsync(j => j.Id == job.Id, cancellationToken));
        }

        // The file is read and its rows checked on a thread of their own, while this one writes the batches.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var rowsChecked = Channel.CreateBounded<(long Line, ImportRow? Row, ImportProblem? Problem)>(
            new BoundedChannelOptions(2 * BatchSize) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(() => CheckRowsAsync(stream, job, options, refs, zone, rowsChecked.Writer, stop.Token), stop.Token);
        try
        {
            await foreach (var (line, row, problem) in rowsChecked.Reader.ReadAllAsync(cancellationToken))
            {
                if (row is not null && (row.Email is { } e && keys.Contains("e" + e.Normalized) || row.Sms is { } s && keys.Contains("s" + s)))
                    await FlushAsync(); // the same address twice: the second goes into the next batch, where it finds the first
                read++;
                lastLine = line;
                if (problem is not null) problems.Add(problem);
                else
                {
                    batch.Add(row!);
                    if (row!.Email is { } email) keys.Add("e" + email.Normalized);
                    if (row.Sms is { } sms) keys.Add("s" + sms);
                }
                if (read >= BatchSize) await FlushAsync();
            }
            if (read > 0) await FlushAsync();
        }
        finally
        {
            await stop.CancelAsync(); // a batch that failed stops the reader too
            try
            {
                await reading;
            }
            catch (OperationCanceledException)
            {
                // stopped by the line above, or by the caller's cancellation, which the writer has seen
            }
        }
    }

    /// <summary>Reads the file after its committed lines and checks each row by the API's rules, on a context of its own.</summary>
    private async Task CheckRowsAsync(Stream stream, ImportJob job, ImportOptions options, ReferenceData refs, TimeZoneInfo zone,
        ChannelWriter<(long, ImportRow?, ImportProblem?)> writer, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var readerDb = scope.ServiceProvider.GetRequiredService<TagflowDb>();
            foreach (var line in ImportFile.Read(stream, options, refs.Fields, job.LinesDone))
            {
                var (row, problem) = await ImportRows.CheckAsync(readerDb, line, refs, options, zone, cancellationToken);
                await writer.WriteAsync((line.Line, row, problem), cancellationToken);
            }
            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
        }
    }

    private async Task EndAsync(ImportJob job, ImportState state, string? error)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lines = await db.ImportJobs.Where(j => j.Id == job.Id).Select(j => j.LinesDone).SingleAsync(CancellationToken.None);
        var message = error is null ? null : Cut($"Stopped after line {lines}: {error} The rows up to there are imported; import the file again to go on (rows already imported stay as they are).", 1000);
        var held = _lease!.Value.Heartbeat;
        var ended = await db.ImportJobs.Where(j => j.Id == job.Id && j.HeartbeatAt == held).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, state)
            .SetProperty(j => j.FinishedAt, now)
            .SetProperty(j => j.HeartbeatAt, (DateTime?)null)
            .SetProperty(j => j.Error, message), CancellationToken.None);
        if (ended == 0) return; // another importer took the job over: it ends it
        if (job.OwnsFile)
        {
            try
            {
                File.Delete(job.FilePath);
            }
            catch (IOException)
            {
                // housekeeping of the folder is the operator's then; the job is ended either way
            }
        }
        await RefreshStatisticsAsync();
    }

    /// <summary>
    /// An import may have made the account's tables many times larger: the query planner learns it now,
    /// not at the next housekeeping round. The job has ended whatever happens here; a failure is only logged.
    /// </summary>
    private async Task RefreshStatisticsAsync()
    {
        try
        {
            await DataSetup.RefreshStatisticsAsync(db, gate, CancellationToken.None);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            LogStatisticsFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The query planner's statistics could not be refreshed after an import; the next housekeeping round does it")]
    private static partial void LogStatisticsFailed(ILogger logger, Exception exception);

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>The import directory of these settings, created if missing.</summary>
    public static string Directory(TagflowSettings settings)
    {
        var path = settings.ImportDirectory ?? TagflowSettings.DefaultImports(settings.Database);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
