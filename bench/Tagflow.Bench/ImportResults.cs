using System.Globalization;
using System.Text.Json;

namespace Tagflow.Bench;

/// <summary>
/// One import through <c>POST /import</c>: the upload until its 202, then the job as the server
/// counted it, until <c>GET /import/{id}</c> said done.
/// </summary>
internal sealed record ImportRun(int Contacts, long FileBytes, TimeSpan Upload, TimeSpan EndToEnd, ImportJob Job, long ServerPeak, CpuUse Cpu)
{
    /// <summary>The job's rows over its own start and end, which the API gives in whole seconds; null within one second.</summary>
    public double? RowsPerSecondOverSpan => Job.FinishedAt > Job.StartedAt ? Job.RowsRead / (double)(Job.FinishedAt - Job.StartedAt) : null;

    public double EndToEndPerSecond => Contacts / EndToEnd.TotalSeconds;
}

/// <summary>An import job as <c>GET /import/{id}</c> shows it; the times are Unix seconds, 0 while not yet.</summary>
internal sealed record ImportJob(string Id, string State, long RowsRead, long Created, long Refused, double RowsPerSecond, long StartedAt, long FinishedAt, string Error)
{
    public static ImportJob Read(JsonDocument document)
    {
        var e = document.RootElement;
        return new(
            Id: e.GetProperty("id").GetString()!,
            State: e.GetProperty("state").GetString()!,
            RowsRead: e.GetProperty("rows_read").GetInt64(),
            Created: e.GetProperty("created").GetInt64(),
            Refused: e.GetProperty("refused").GetInt64(),
            RowsPerSecond: e.GetProperty("rows_per_second").GetDouble(),
            StartedAt: Seconds("started_at"),
            FinishedAt: Seconds("finished_at"),
            Error: e.GetProperty("error").GetString() ?? "");

        long Seconds(string name) => long.TryParse(e.GetProperty(name).GetString(), CultureInfo.InvariantCulture, out var s) ? s : 0;
    }
}

/// <summary>The hot path on one imported account: search, add-or-update, tag, each warmed up and then measured.</summary>
internal sealed record HotPath(PhaseResult Search, PhaseResult AddOrUpdate, PhaseResult Tag)
{
    public IEnumerable<PhaseResult> Phases => [Search, AddOrUpdate, Tag];
}

/// <summary>
/// <c>GET /subscriber?status=subscribed</c> read as a stream: its first byte, its end, and the
/// server's memory before and after; <see cref="OldestId"/> is the smallest id it listed, the
/// imported file's first contact.
/// </summary>
internal sealed record StreamedList(TimeSpan FirstByte, TimeSpan Total, int Ids, long OldestId, long Bytes, (long Peak, long Current) Before, (long Peak, long Current) After)
{
    /// <summary>How much the server's memory grew over the list: the more of its peak's and its resident memory's growth.</summary>
    public long Growth => Math.Max(After.Peak - Before.Peak, After.Current - Before.Current);
}

/// <summary>One fresh server's figures: its import, then the hot path, the list and the admin app's contacts page on the account it filled.</summary>
internal sealed record ImportedAccount(ImportRun Import, HotPath HotPath, StreamedList List, IReadOnlyList<PageTimes> ContactsPage, IReadOnlyList<string> Problems)
{
    public IEnumerable<CpuUse> Cpu => [Import.Cpu, .. HotPath.Phases.Select(p => p.Cpu)];
}

/// <summary>The import figures (issue 16): <see cref="Large"/> at the documented million, <see cref="Small"/> what its hot path is compared with.</summary>
internal sealed record ImportResults(ImportedAccount Small, ImportedAccount Large)
{
    public IEnumerable<CpuUse> Cpu => Small.Cpu.Concat(Large.Cpu);

    public IEnumerable<PhaseResult> Phases => Small.HotPath.Phases.Concat(Large.HotPath.Phases);

    public IEnumerable<string> Problems => Small.Problems.Concat(Large.Problems);
}
