namespace Tagflow.Delivery;

/// <summary>A message on its way into its <c>.eml</c> file; <see cref="Written"/> ends once it is there, or fails.</summary>
internal sealed record OutboxFile(string Name, byte[] Content)
{
    public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Puts messages into their <c>.eml</c> files in the outbox folder. A batch is written to hidden
/// temporary files, flushed to disk, renamed into place and flushed again, so it costs two flushes
/// rather than two per message (on Linux through <see cref="FileSystemSync"/>; elsewhere each file
/// is flushed on its own). File names come from the message, so a file written twice (a crash
/// between the flush and the delete of its row) is the same file.
/// </summary>
internal sealed class OutboxFiles(string directory, ILogger logger)
{
    public string Directory => directory;

    /// <summary>
    /// Writes each message to a temporary file and renames it into place; with <paramref name="flush"/>
    /// the files are on disk before the renames, and the renames before this returns.
    /// </summary>
    public void Write(List<OutboxFile> batch, bool flush)
    {
        var written = new List<OutboxFile>(batch.Count);
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            foreach (var file in batch)
            {
                try
                {
                    using var stream = new FileStream(Temporary(file), FileMode.Create, FileAccess.Write, FileShare.None, 4096);
                    stream.Write(file.Content);
                    // Without syncfs there is no flush of them all later: each file is flushed now.
                    if (!OperatingSystem.IsLinux()) stream.Flush(flushToDisk: true);
                    written.Add(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Fail(file, e);
                }
            }
            if (written.Count == 0) return;
            if (flush) Flush();
            foreach (var file in written) File.Move(Temporary(file), Final(file), overwrite: true);
            if (flush) Flush();
            foreach (var file in written) file.Written.TrySetResult();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var file in batch) Fail(file, e);
        }
    }

    /// <summary>Puts every file written so far, and every rename, on disk.</summary>
    public void Flush() => FileSystemSync.Flush(directory);

    private void Fail(OutboxFile file, Exception e)
    {
        foreach (var path in new[] { Temporary(file), Final(file) })
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
        logger.LogWarning("The email {File} could not be written to {Directory}: {Reason}", file.Name, directory, e.Message);
        file.Written.TrySetException(new MailNotSentException($"The email could not be written to {directory}: {e.Message}", e));
    }

    private string Temporary(OutboxFile file) => Path.Combine(directory, "." + file.Name + ".tmp");

    private string Final(OutboxFile file) => Path.Combine(directory, file.Name);
}
