using System.Globalization;

namespace Tagflow.App;

/// <summary>The app's addresses, in one place.</summary>
internal static class AppPaths
{
    public const string Root = "/app";
    public const string SignIn = "/app/signin";
    public const string SignOut = "/app/signout";
    public const string Dashboard = "/app/dashboard";
    public const string Contacts = "/app/contacts";
    public const string Tags = "/app/tags";
    public const string Fields = "/app/fields";
    public const string Forms = "/app/forms";
    public const string Blocklist = "/app/blocklist";
    public const string Campaigns = "/app/campaigns";
    public const string Webhooks = "/app/webhooks";
    public const string OptIns = "/app/optins";
    public const string Events = "/app/events";
    public const string ApiAccess = "/app/api-access";
    public const string Settings = "/app/settings";
    public const string Stylesheet = "/app/assets/app.css";
    public const string Script = "/app/assets/app.js";
    public const string Icon = "/app/assets/icon.svg";
    public const string BlazorScript = "/app/assets/blazor.web.js";

    public static string Contact(long id) => $"{Contacts}/{id.ToString(CultureInfo.InvariantCulture)}";

    public static string ContactExport(long id) => $"{Contact(id)}/export";

    public static string Tag(long id) => $"{Tags}/{id.ToString(CultureInfo.InvariantCulture)}";

    public static string Campaign(long id) => $"{Campaigns}/{id.ToString(CultureInfo.InvariantCulture)}";

    public static string OptIn(long id) => $"{OptIns}/{id.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Where the process page's script asks for the preview of its confirmation email.</summary>
    public static string OptInPreview(long id) => $"{OptIn(id)}/preview";

    public static string Form(long id) => $"{Forms}/{id.ToString(CultureInfo.InvariantCulture)}";

    public static string Webhook(long id) => $"{Webhooks}/{id.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A return address is followed only if it is one of the app's own pages.</summary>
    public static string LocalOrHome(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith(Root + "/", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
            && !url.Contains('\\', StringComparison.Ordinal) && !url.StartsWith(SignIn, StringComparison.Ordinal)
            ? url
            : Dashboard;
}
