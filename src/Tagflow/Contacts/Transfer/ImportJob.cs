namespace Tagflow.Contacts;

internal enum ImportState
{
    /// <summary>Stored, waiting for the importer.</summary>
    Queued,
    /// <summary>Being imported; its counters are those of the rows committed so far.</summary>
    Running,
    /// <summary>Every row was read: imported, updated, unchanged, skipped or refused.</summary>
    Done,
    /// <summary>Stopped before the end (the file went missing, or could not be read further); <see cref="ImportJob.Error"/> says where and why.</summary>
    Failed,
}

/// <summary>
/// An import of a contact file into an account: its options, its file and how far it has come.
/// The counters and <see cref="LinesDone"/> are written in the same transaction as the rows they
/// count, so after a crash the import resumes exactly after the last committed row.
/// </summary>
internal sealed class ImportJob
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public ImportState State { get; set; }
    /// <summary><c>csv</c> or <c>ndjson</c>.</summary>
    public required string Format { get; set; }
    /// <summary>The <see cref="ImportOptions"/>, as JSON.</summary>
    public required string Options { get; set; }
    /// <summary>Where the file is on the machine that imports it.</summary>
    public required string FilePath { get; set; }
    /// <summary>The file is Tagflow's own copy of an upload, removed once the import ends.</summary>
    public bool OwnsFile { get; set; }
    /// <summary>The name the file was given, for people reading the job.</summary>
    public string FileName { get; set; } = "";
    public long FileBytes { get; set; }

    /// <summary>The last line of the file whose row is committed (0: none); a resumed import reads on after it.</summary>
    public long LinesDone { get; set; }
    /// <summary>About how far into the file the committed rows reach, in bytes (the reader reads ahead a little), for progress.</summary>
    public long BytesDone { get; set; }
    public long RowsRead { get; set; }
    public long Created { get; set; }
    public long Updated { get; set; }
    public long Unchanged { get; set; }
    public long Skipped { get; set; }
    public long Refused { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>Set by the importer with every batch; an import whose importer has not written for a while is taken over.</summary>
    public DateTime? HeartbeatAt { get; set; }
    /// <summary>How long the import has run, summed over its runs, for its rate.</summary>
    public double SecondsRunning { get; set; }
    public string? Error { get; set; }
}

/// <summary>A row an import refused: where it is, and the API's error for it. The good rows land.</summary>
internal sealed class ImportRefusal
{
    public long Id { get; set; }
    public long ImportId { get; set; }
    public long Line { get; set; }
    /// <summary>The column as the file names it; empty when the row as a whole is refused.</summary>
    public required string Column { get; set; }
    public int Code { get; set; }
    public required string Message { get; set; }
}
