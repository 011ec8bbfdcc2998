using System.Globalization;

namespace Tagflow.Client;

/// <summary>A sentence for an end user for every 406 error number of the wire contract, and Tagflow's own.</summary>
internal static class ErrorMessages
{
    public static string ForRefusal(RefusalDetails refusal) => refusal.Error switch
    {
        8 => InvalidField(refusal),
        10 when refusal.Code is { } code && code != 10 && Known(code) is not null =>
            "The contact could not be updated: " + ForRefusal(refusal with { Error = code, Code = null }),
        _ => Known(refusal.Error) ?? Unknown(refusal.Error),
    };

    /// <summary>KlickTipp's default for any other number.</summary>
    public static string Unknown(int? error) => error is { } n
        ? "Something went wrong. Please try again later. Error: " + n.ToString(CultureInfo.InvariantCulture)
        : "Something went wrong. Please try again later.";

    private static string? Known(int error) => error switch
    {
        4 => "This email address has been unsubscribed - no re-entry possible.",
        5 => "Invalid email address.",
        6 => "The confirmation email could not be sent.",
        7 => "Email address not found.",
        8 => "Invalid value in a data field.",
        9 => "This SMS number is already assigned to another contact.",
        10 => "The contact could not be updated.",
        11 => "Invalid phone number.",
        12 => "Internal error. Please try again later.",
        30 => "This email address is blocked and cannot be used for subscription.",
        31 => "SmartTags are assigned by the system only and cannot be added or removed.",
        32 => "Either an email address or an SMS number is required.",
        401 => "Contact not found.",
        402 => "Opt-in process not found.",
        403 => "Tag not found.",
        507 => "This email address is already assigned to another contact.",
        601 => "A tag with this name already exists.",
        602 => "Standard data fields cannot be changed.",
        603 => "A data field with this name already exists.",
        604 => "The type of a data field cannot be changed.",
        605 => "An opt-in process with this name already exists.",
        606 => "The predefined opt-in process cannot be renamed, made single opt-in or deleted.",
        _ => null,
    };

    private static string InvalidField(RefusalDetails refusal)
    {
        var field = refusal.FieldLabel ?? refusal.FieldKey;
        var sentence = field is null ? "Invalid value in a data field." : $"Invalid value in the data field \"{field}\".";
        return refusal.Reason is { Length: > 0 } reason ? $"{sentence} {reason}" : sentence;
    }
}
