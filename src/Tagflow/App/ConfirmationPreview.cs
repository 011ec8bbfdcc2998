using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Fields;
using Tagflow.OptIns;

namespace Tagflow.App;

/// <summary>A contact to show a confirmation email for: the account's newest with an address, else <see cref="ConfirmationPreview.BuiltIn"/>.</summary>
internal sealed record SampleContact(string Email, IReadOnlyDictionary<string, string> Fields, IReadOnlyCollection<string> Tags, bool IsBuiltIn);

/// <summary>
/// A confirmation email as rendered: who it comes from, its subject, its text and HTML parts (empty when
/// it has none); or, when its templates cannot be filled for the sample contact, why (<see cref="Problem"/>).
/// </summary>
internal sealed record RenderedConfirmation(string From, string Subject, string Text, string Html, string? Problem = null);

/// <summary>
/// An opt-in process's confirmation email as a contact gets it, for its page in the app: rendered
/// by <see cref="ConfirmationMail"/> itself for a sample contact, with a sample link that confirms
/// nobody; shown as the owner types (<see cref="PreviewAsync"/>, called by the page's script) and
/// sent to the owner's own address as a test, through the account's mail relay like every
/// confirmation email sent on its own.
/// </summary>
internal static class ConfirmationPreview
{
    /// <summary>The sample link's token: no confirmation has it (real ones are 43 characters of base64url).</summary>
    public const string SampleToken = "sample";

    /// <summary>The contact shown when the account has none yet.</summary>
    public static readonly SampleContact BuiltIn = new("sample@example.com", new Dictionary<string, string>
    {
        ["fieldFirstName"] = "Anna",
        ["fieldLastName"] = "Sample",
        ["fieldCompanyName"] = "Example Ltd",
        ["fieldCity"] = "Berlin",
        ["fieldCountry"] = "Germany",
    }, [], IsBuiltIn: true);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The account's newest contact that has an address, with its values and tags; else <see cref="BuiltIn"/>.</summary>
    public static async Task<SampleContact> SampleAsync(TagflowDb db, long accountId, CancellationToken cancellationToken)
    {
        var newest = await db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId && c.Email != null)
            .OrderByDescending(c => c.Id).Select(c => new { c.Id, c.Email }).FirstOrDefaultAsync(cancellationToken);
        if (newest is null) return BuiltIn;
        var values = new Dictionary<string, string>();
        await foreach (var field in ContactQueries.Fields(db, newest.Id).WithCancellation(cancellationToken)) values[field.Key] = field.Value;
        return new SampleContact(newest.Email!, values, await ContactQueries.TagNames(db, newest.Id).ToListAsync(cancellationToken), IsBuiltIn: false);
    }

    /// <summary>
    /// The email from these settings (the form's, checked or not) for the sample contact. A sender
    /// address that is not one (not yet saved: the rules refuse it) is shown as the account's.
    /// </summary>
    public static RenderedConfirmation Render(OptInProcess settings, string accountEmail, SampleContact sample, TimeZoneInfo zone, string linkBase,
        DateTimeOffset now)
    {
        try
        {
            var message = Message(settings, accountEmail, sample, zone, linkBase, now);
            return new RenderedConfirmation(message.From.ToString(), message.Subject ?? "", message.TextBody ?? "", message.HtmlBody ?? "");
        }
        catch (TemplateFailedException e)
        {
            return new RenderedConfirmation("", "", "", "", $"The email cannot be shown for {sample.Email}: {e.Message}");
        }
    }

    /// <summary>
    /// Sends the email from the checked settings of a process to the account's own address, its subject
    /// marked as a test; null once the relay has taken it, else what to tell the owner.
    /// </summary>
    public static async Task<string?> SendTestAsync(IMailRelay relay, OptInProcess settings, string accountEmail, SampleContact sample, TimeZoneInfo zone,
        string linkBase, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (EmailAddress.Parse(accountEmail) is null)
            return "Your account has no email address to send the test to (an administrator sets it with tagflow accounts).";
        MimeMessage message;
        try
        {
            message = Message(settings, accountEmail, sample, zone, linkBase, now);
        }
        catch (TemplateFailedException e)
        {
            return $"The test email was not sent: {e.Message}";
        }
        message.Subject = "[Test] " + message.Subject;
        message.To.Clear();
        message.To.Add(MailboxAddress.Parse(accountEmail));
        try
        {
            await relay.SendAsync(message, cancellationToken);
            return null;
        }
        catch (MailNotSentException e)
        {
            return $"The test email was not sent: {e.Message}";
        }
    }

    /// <summary>
    /// <c>POST /app/optins/{id}/preview</c>: the email from the form as sent (with its antiforgery
    /// token), and the sentence the rules would refuse it with, if any; nothing is saved.
    /// </summary>
    public static async Task<IResult> PreviewAsync(long id, IFormCollection form, HttpContext http, ClaimsPrincipal user, TagflowDb db, OptInProcessAdmin admin,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        var stored = await db.OptInProcesses.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.AccountId == accountId, cancellationToken);
        if (stored is null) return Results.NotFound();
        var sent = OptInForm.Read(form);
        var (_, refusal) = await admin.TryUpdateAsync(accountId, id, sent.Settings(stored.IsPredefined), cancellationToken);
        var email = await AccountEmailAsync(db, accountId, cancellationToken);
        var shown = Unchecked(stored, sent);
        var rendered = Render(shown, email, await SampleAsync(db, accountId, cancellationToken), user.TimeZone(),
            OptInPages.Url(http, ""), clock.GetUtcNow());
        return Results.Json(new { rendered.From, rendered.Subject, rendered.Text, rendered.Html, Problem = refusal?.Message ?? rendered.Problem }, Json);
    }

    /// <summary>The process with the form's email settings as they are, for a preview of what is being typed.</summary>
    public static OptInProcess Unchecked(OptInProcess stored, OptInForm form)
    {
        var settings = form.Settings(stored.IsPredefined);
        return new OptInProcess
        {
            Id = stored.Id, AccountId = stored.AccountId, IsPredefined = stored.IsPredefined,
            SenderName = (settings.SenderName ?? stored.SenderName).Trim(),
            SenderAddress = settings.SenderAddress is { } address && EmailAddress.Parse(address.Trim()) is not null ? address.Trim() : "",
            Subject = settings.Subject ?? stored.Subject,
            TextTemplate = settings.Text ?? stored.TextTemplate,
            HtmlTemplate = settings.Html ?? stored.HtmlTemplate,
        };
    }

    public static Task<string> AccountEmailAsync(TagflowDb db, long accountId, CancellationToken cancellationToken) =>
        db.Accounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.Email).SingleAsync(cancellationToken);

    private static MimeMessage Message(OptInProcess p, string accountEmail, SampleContact sample, TimeZoneInfo zone, string linkBase, DateTimeOffset now) =>
        ConfirmationMail.Create(
            new ProcessChoice(p.Id, p.IsPredefined, p.UseSingleOptIn, p.ResendConfirmationEmail, p.UseChangeEmail, p.SenderName, p.SenderAddress,
                p.Subject, p.TextTemplate, p.HtmlTemplate),
            accountEmail, sample.Email, sample.Fields, sample.Tags, zone, linkBase + ConfirmationMail.ConfirmPath + SampleToken, now);
}
