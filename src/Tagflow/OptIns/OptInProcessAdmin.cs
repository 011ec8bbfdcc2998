using Microsoft.EntityFrameworkCore;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.OptIns;

/// <summary>An opt-in process's settings as a request or a command gives them; null leaves one as it is.</summary>
internal sealed record ProcessSettings(
    string? Name = null,
    bool? UseSingleOptIn = null,
    string? PendingUrl = null,
    string? ThankYouUrl = null,
    bool? ResendConfirmationEmail = null,
    bool? UseChangeEmail = null,
    string? SenderName = null,
    string? SenderAddress = null,
    string? Subject = null,
    string? Text = null,
    string? Html = null);

/// <summary>Opt-in process management, shared by the API (<c>/list</c>) and <c>tagflow lists</c>.</summary>
internal sealed class OptInProcessAdmin(TagflowDb db, TimeProvider clock)
{
    private const int MaxNameLength = 250;
    private const int MaxSenderNameLength = 100;
    private const int MaxSubjectLength = 250;

    /// <summary>Creates a process; answers it as stored, or why it was refused.</summary>
    public async Task<(OptInProcess? Process, Refusal? Refusal)> AddAsync(long accountId, ProcessSettings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Name))
            return (null, new Refusal("The key \"name\" is required: the name of the new opt-in process."));
        var process = new OptInProcess { AccountId = accountId, CreatedAt = clock.GetUtcNow().UtcDateTime };
        if (await ApplyAsync(process, settings, cancellationToken) is { } refusal) return (null, refusal);
        db.OptInProcesses.Add(process);
        return await SaveUnlessNameTakenAsync(process, cancellationToken) ? (process, null) : (null, NameTaken(process.Name));
    }

    public async Task<Refusal?> UpdateAsync(long accountId, long id, ProcessSettings settings, CancellationToken cancellationToken)
    {
        var process = await db.OptInProcesses.SingleOrDefaultAsync(p => p.Id == id && p.AccountId == accountId, cancellationToken);
        if (process is null) return NoSuchProcess(id);
        if (await ChangeAsync(process, settings, cancellationToken) is { } refusal) return refusal;
        return await SaveUnlessNameTakenAsync(process, cancellationToken) ? null : NameTaken(process.Name);
    }

    /// <summary>
    /// The process as <see cref="UpdateAsync"/> would make it, checked by the same rules but not
    /// saved (a preview, a test email); or why it would be refused.
    /// </summary>
    public async Task<(OptInProcess? Process, Refusal? Refusal)> TryUpdateAsync(long accountId, long id, ProcessSettings settings, CancellationToken cancellationToken)
    {
        var process = await db.OptInProcesses.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.AccountId == accountId, cancellationToken);
        if (process is null) return (null, NoSuchProcess(id));
        return await ChangeAsync(process, settings, cancellationToken) is { } refusal ? (null, refusal) : (process, null);
    }

    private async Task<Refusal?> ChangeAsync(OptInProcess process, ProcessSettings settings, CancellationToken cancellationToken) =>
        process.IsPredefined && (settings.Name is { } name && name.Trim().Length > 0 || settings.UseSingleOptIn == true)
            ? Predefined()
            : await ApplyAsync(process, settings, cancellationToken);

    /// <summary>
    /// Removes a process. Its contacts keep it as the process they signed up through (their proof of
    /// consent names it); new contacts can no longer use it.
    /// </summary>
    public async Task<Refusal?> RemoveAsync(long accountId, long id, CancellationToken cancellationToken)
    {
        var process = await db.OptInProcesses.SingleOrDefaultAsync(p => p.Id == id && p.AccountId == accountId, cancellationToken);
        if (process is null) return NoSuchProcess(id);
        if (process.IsPredefined) return Predefined();
        if (await db.ListbuildingKeys.AnyAsync(k => k.ListId == id, cancellationToken)) return InUse();
        db.OptInProcesses.Remove(process);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await db.ListbuildingKeys.AnyAsync(k => k.ListId == id, cancellationToken)) return InUse(); // a key for it came a moment before
            throw;
        }
        return null;
    }

    /// <summary>Applies the given settings, then checks the process as a whole (a switch to double opt-in needs a link in the templates).</summary>
    private async Task<Refusal?> ApplyAsync(OptInProcess process, ProcessSettings s, CancellationToken cancellationToken)
    {
        if (s.Name is { } rawName && !process.IsPredefined)
        {
            var name = rawName.Trim();
            if (name.Length == 0 || name.Length > MaxNameLength)
                return new Refusal($"The key \"name\" must have 1 to {MaxNameLength} characters.");
            if (WireText.LineProblem("name", name) is { } line) return new Refusal(line);
            var normalized = OptInProcess.Normalize(name);
            if (await NameTakenAsync(process.AccountId, normalized, process.Id, cancellationToken)) return NameTaken(name);
            (process.Name, process.NormalizedName) = (name, normalized);
        }
        if (s.UseSingleOptIn is { } single) process.UseSingleOptIn = single;
        if (s.ResendConfirmationEmail is { } resend) process.ResendConfirmationEmail = resend;
        if (s.UseChangeEmail is { } change) process.UseChangeEmail = change;
        if (s.PendingUrl is { } pending)
        {
            if (PageUrl(pending) is not { } url) return BadUrl("pendingurl");
            process.PendingUrl = url;
        }
        if (s.ThankYouUrl is { } thanks)
        {
            if (PageUrl(thanks) is not { } url) return BadUrl("thankyouurl");
            process.ThankYouUrl = url;
        }
        if (s.SenderName is { } senderName)
        {
            senderName = senderName.Trim();
            if (senderName.Length > MaxSenderNameLength || senderName.Any(char.IsControl))
                return new Refusal($"The key \"sendername\" must be one line of at most {MaxSenderNameLength} characters.");
            process.SenderName = senderName;
        }
        if (s.SenderAddress is { } senderAddress)
        {
            senderAddress = senderAddress.Trim();
            if (senderAddress.Length > 0 && EmailAddress.Parse(senderAddress) is null)
                return new Refusal("The key \"senderaddress\" must be an email address, or empty for the account's own.");
            process.SenderAddress = senderAddress;
        }
        if (s.Subject is { } subject)
        {
            subject = subject.Trim();
            if (subject.Length == 0 || subject.Length > MaxSubjectLength || subject.Any(char.IsControl))
                return new Refusal($"The key \"subject\" must be one line of 1 to {MaxSubjectLength} characters.");
            process.Subject = subject;
        }
        if (s.Text is { } text)
        {
            if (text.Trim().Length == 0) return new Refusal("The key \"text\" must not be empty: every confirmation email has a text part.");
            process.TextTemplate = text;
        }
        if (s.Html is { } html) process.HtmlTemplate = html;

        var needsLink = !process.UseSingleOptIn;
        var problem = ConfirmationTemplate.Problem("subject", process.Subject, needsLink: false)
            ?? ConfirmationTemplate.Problem("text", process.TextTemplate, needsLink)
            ?? (process.HtmlTemplate.Length > 0 ? ConfirmationTemplate.Problem("html", process.HtmlTemplate, needsLink) : null);
        return problem is null ? null : new Refusal(problem);
    }

    private Task<bool> NameTakenAsync(long accountId, string normalizedName, long exceptId, CancellationToken cancellationToken) =>
        db.OptInProcesses.AnyAsync(p => p.AccountId == accountId && p.NormalizedName == normalizedName && p.Id != exceptId, cancellationToken);

    /// <summary>Saves, or false if a concurrent request took the name in the meantime (the unique index refused it).</summary>
    private Task<bool> SaveUnlessNameTakenAsync(OptInProcess process, CancellationToken cancellationToken) =>
        UniqueNames.SaveUnlessTakenAsync(db, ct => NameTakenAsync(process.AccountId, process.NormalizedName, process.Id, ct), cancellationToken);

    private static Refusal NameTaken(string name) => new($"An opt-in process named \"{name}\" already exists.", WireErrors.ProcessNameTaken);

    /// <summary>An absolute http(s) URL, or empty for Tagflow's own page; null for anything else.</summary>
    private static string? PageUrl(string text)
    {
        text = text.Trim();
        if (text.Length == 0) return "";
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && text.Length <= 2000
            ? text
            : null;
    }

    private static Refusal BadUrl(string key) =>
        new($"The key \"{key}\" must be an absolute http:// or https:// URL, or empty for Tagflow's own page.");

    private static Refusal NoSuchProcess(long id) => new($"There is no opt-in process {id} in the account.", NotFound: true);

    private static Refusal InUse() =>
        new("The opt-in process is used by a listbuilding key: delete the key first (DELETE /listbuilding/{id}).", WireErrors.ProcessInUse);

    private static Refusal Predefined() =>
        new("The predefined opt-in process cannot be renamed, made single opt-in or deleted.", WireErrors.PredefinedProcess);
}
