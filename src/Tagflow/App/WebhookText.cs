using Tagflow.Webhooks;

namespace Tagflow.App;

/// <summary>How the app names a webhook's states and what queued its calls.</summary>
internal static class WebhookText
{
    public static string State(DeliveryState state) => state switch
    {
        DeliveryState.Pending => "Waiting",
        DeliveryState.Delivered => "Delivered",
        _ => "Failed",
    };

    public static string Cause(string cause) => cause switch
    {
        DeliveryCauses.TagAdded => "Trigger tag added",
        DeliveryCauses.Campaign => "Campaign step",
        DeliveryCauses.Test => "Test event",
        _ => "—",
    };

    /// <summary>An attempt's outcome: the receiver's status, or what went wrong when none came.</summary>
    public static string Outcome(WebhookAttempt attempt) => attempt.Status switch
    {
        // A redirect's status alone does not say that it is not followed.
        { } status and >= 300 and < 400 => $"{status}: {attempt.Error}",
        { } status => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        null => attempt.Error.Length > 0 ? attempt.Error : "No answer",
    };
}
