using Tagflow.Contacts;
using Tagflow.Wire;

namespace Tagflow.App;

/// <summary>The app's sentences for the refusals of the shared rules (the API answers them as numbers).</summary>
internal static class AppText
{
    public static string Refusal(WireError refusal) => refusal.Error switch
    {
        WireErrors.Unsubscribed => "This address has unsubscribed: it cannot be subscribed again by hand, only by the person through a sign-up form.",
        WireErrors.InvalidEmail => "This is not a valid email address.",
        WireErrors.ConfirmationNotSent => "The confirmation email could not be sent, so nothing was changed. Please try again later.",
        WireErrors.EmailNotFound or WireErrors.ContactNotFound => "The contact no longer exists.",
        WireErrors.InvalidFieldValue => refusal.Reason ?? "The value does not fit the field.",
        WireErrors.SmsNumberTaken => "Another contact has this SMS number.",
        WireErrors.InvalidPhoneNumber => "This is not a valid phone number: write it with its country code, such as +49 171 1234567.",
        WireErrors.Blocked => "This address is on the blocklist.",
        WireErrors.SmartTag => "SmartTags are assigned only by Tagflow itself.",
        WireErrors.EmailOrSmsRequired => "Enter an email address or an SMS number.",
        WireErrors.OptInProcessNotFound => "Choose one of the account's opt-in processes.",
        WireErrors.TagNotFound => "The tag no longer exists.",
        WireErrors.EmailTaken => "Another contact has this email address.",
        _ => $"The change was refused (error {refusal.Error}).",
    };

    public static string Status(ContactStatus status) => status switch
    {
        ContactStatus.Pending => "Opt-in pending",
        ContactStatus.Subscribed => "Subscribed",
        _ => "Unsubscribed",
    };

    public static string Bounce(BounceStatus bounce) => bounce switch
    {
        BounceStatus.Soft => "Soft bounce",
        BounceStatus.Hard => "Hard bounce",
        BounceStatus.Spam => "Spam complaint",
        _ => "Not bounced",
    };

    /// <summary>An opt-in process by name; the predefined one has none.</summary>
    public static string Process(OptIns.OptInProcess process) =>
        process.Name.Length > 0 ? process.Name : process.IsPredefined ? "Predefined double opt-in" : $"Process {process.Id}";

    public static string Plural(long count, string one, string many) =>
        $"{count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} {(count == 1 ? one : many)}";
}
