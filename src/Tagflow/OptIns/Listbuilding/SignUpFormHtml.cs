using System.Net;
using System.Text;
using Tagflow.Fields;

namespace Tagflow.OptIns;

/// <summary>One input of a sign-up form: its name in the post, its label, and the input fitting it.</summary>
internal sealed record SignUpInput(string Name, string Label, string Type, bool IsTextArea, bool Required, string Autocomplete, FieldDefinition? Field);

/// <summary>
/// The HTML of a listbuilding key's sign-up form, in its two shapes from the same inputs: the hosted
/// page (<c>/f/{token}</c>, styled by the app's stylesheet) and the snippet a website pastes in, which
/// posts to that page. Every text from the account or the visitor is HTML-encoded here.
/// </summary>
internal static class SignUpFormHtml
{
    public const string EmailName = "email";
    public const string SmsName = "smsnumber";

    /// <summary>
    /// The hidden field that people leave empty and form-filling bots do not: a post with it filled is
    /// answered as a success and stores nothing. A name a bot takes for a real field.
    /// </summary>
    public const string HoneypotName = "homepage";

    /// <summary>The content security policy of the hosted page: the app's stylesheet, nothing else. Not form-action, which would stop the redirect to the process's own pages.</summary>
    /// <summary>The admin app's stylesheet, which anyone may load; it has the form's few rules.</summary>
    private const string Stylesheet = "/app/assets/app.css";

    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>The form's inputs in order: the email address, the SMS number if asked for, then the chosen fields the account still has.</summary>
    public static IReadOnlyList<SignUpInput> Inputs(ListbuildingKey key, FieldCatalog catalog)
    {
        var inputs = new List<SignUpInput> { new(EmailName, "Email address", "email", false, true, "email", null) };
        if (key.FormAsksSms) inputs.Add(new(SmsName, "Mobile number (for SMS)", "tel", false, false, "tel", null));
        foreach (var fieldKey in key.FormFieldKeys)
        {
            if (catalog.Find(fieldKey) is not { } field) continue; // deleted since it was chosen
            inputs.Add(new(field.Key, field.Label, field.IsPhone ? "tel" : FieldInputs.InputType(field.Type), FieldInputs.IsTextArea(field.Type), false,
                Autocomplete(field.Key), field));
        }
        return inputs;
    }

    /// <summary>The hosted page: the form, with the visitor's values and a message when a sign-up was refused.</summary>
    public static string Page(IReadOnlyList<SignUpInput> inputs, IReadOnlyDictionary<string, string> values, string? error, string? title = null)
    {
        var body = new StringBuilder();
        body.Append("<h1>").Append(E(title ?? "Sign up")).Append("</h1>\n");
        if (error is not null) body.Append("<p class=\"alert\" role=\"alert\" id=\"error\">").Append(E(error)).Append("</p>\n");
        body.Append("<form method=\"post\" class=\"stack\" id=\"signup\">\n");
        foreach (var input in inputs) body.Append(Input(input, values.GetValueOrDefault(input.Name, ""))).Append('\n');
        body.Append(Honeypot("class=\"honeypot\"")).Append('\n');
        body.Append("<div><button type=\"submit\" class=\"primary\">Sign up</button></div>\n</form>");
        return Document(title ?? "Sign up", body.ToString());
    }

    /// <summary>A page with a heading and a sentence (not found, too many sign-ups).</summary>
    public static string Message(string title, string text) => Document(title, $"<h1>{E(title)}</h1>\n<p>{E(text)}</p>");

    /// <summary>
    /// The snippet to paste into a website: a plain form posting to <paramref name="action"/> (the
    /// hosted page). Its honeypot is hidden by an inline style, since the website has no Tagflow stylesheet.
    /// </summary>
    public static string Snippet(IReadOnlyList<SignUpInput> inputs, string action)
    {
        var html = new StringBuilder();
        html.Append("<form method=\"post\" action=\"").Append(E(action)).Append("\" accept-charset=\"utf-8\">\n");
        foreach (var input in inputs) html.Append("  <p>").Append(Input(input, "")).Append("</p>\n");
        html.Append("  ").Append(Honeypot("style=\"position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden\"")).Append('\n');
        html.Append("  <p><button type=\"submit\">Sign up</button></p>\n</form>\n");
        return html.ToString();
    }

    private static string Input(SignUpInput input, string value)
    {
        var attributes = $"name=\"{E(input.Name)}\"{(input.Required ? " required" : "")}{(input.Autocomplete.Length > 0 ? $" autocomplete=\"{input.Autocomplete}\"" : "")}";
        var control = input.IsTextArea
            ? $"<textarea {attributes}>{E(value)}</textarea>"
            : $"<input type=\"{input.Type}\" {attributes}{(value.Length > 0 ? $" value=\"{E(value)}\"" : "")}>";
        return $"<label>{E(input.Label)} {control}</label>";
    }

    private static string Honeypot(string hiding) =>
        $"<div {hiding} aria-hidden=\"true\"><label>Leave this field empty <input type=\"text\" name=\"{HoneypotName}\" value=\"\" tabindex=\"-1\" autocomplete=\"off\"></label></div>";

    private static string Document(string title, string body) => $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)}</title><link rel="stylesheet" href="{Stylesheet}"></head>
        <body><main class="narrow signup">
        {body}
        </main></body></html>
        """;

    /// <summary>What browsers fill in for the standard fields.</summary>
    private static string Autocomplete(string fieldKey) => fieldKey switch
    {
        "fieldFirstName" => "given-name",
        "fieldLastName" => "family-name",
        "fieldCompanyName" => "organization",
        "fieldStreet1" => "address-line1",
        "fieldStreet2" => "address-line2",
        "fieldCity" => "address-level2",
        "fieldState" => "address-level1",
        "fieldZip" => "postal-code",
        "fieldCountry" => "country-name",
        "fieldMobilePhone" or "fieldPrivatePhone" or "fieldPhone" => "tel",
        "fieldBirthday" => "bday",
        "fieldWebsite" => "url",
        _ => "",
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
