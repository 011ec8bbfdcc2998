using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tagflow.Tests.Fields;

/// <summary>
/// Sends data field values through add-or-update and PUT /subscriber/{id} and collects every case
/// that does not behave as expected, so that one failing test names all of its wrong cases at once.
/// </summary>
internal sealed class FieldValueChecks(HttpClient client)
{
    private readonly List<string> _failures = [];

    /// <summary>
    /// Expects <paramref name="input"/> (a string, or a <see cref="JsonElement"/> for a raw JSON
    /// number) to be accepted for a new contact and by PUT on <paramref name="targetId"/>, and to
    /// read back as <paramref name="readBack"/> in the answer and in GET /subscriber/{id}.
    /// </summary>
    public async Task AcceptsAsync(string targetId, string key, object input, string readBack)
    {
        var shown = Show(input);
        var fields = new Dictionary<string, object> { [key] = input };
        using var added = await client.PostAsJsonAsync("/subscriber", new { email = NewEmail(), fields });
        var text = await added.Content.ReadAsStringAsync();
        if (added.StatusCode != HttpStatusCode.OK)
        {
            _failures.Add($"{key} {shown}: add-or-update answered {(int)added.StatusCode} {text}, expected 200");
            return;
        }
        var answer = JsonDocument.Parse(text).RootElement;
        Expect($"{key} {shown}: the add-or-update answer", readBack, answer.GetProperty(key).GetString());
        Expect($"{key} {shown}: GET after add-or-update", readBack, (await Subscriber.GetAsync(client, Subscriber.Id(answer))).GetProperty(key).GetString());

        using var put = await client.PutAsJsonAsync($"/subscriber/{targetId}", new { fields });
        if (put.StatusCode != HttpStatusCode.OK)
        {
            _failures.Add($"{key} {shown}: PUT answered {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}, expected 200");
            return;
        }
        Expect($"{key} {shown}: GET after PUT", readBack, (await Subscriber.GetAsync(client, targetId)).GetProperty(key).GetString());
    }

    /// <summary>
    /// Expects <paramref name="input"/>, sent together with a valid value of another field, to be
    /// refused with error 8 naming the field by add-or-update of a new address, add-or-update of the
    /// target's address and PUT on the target; and expects none of them to change anything.
    /// </summary>
    /// <param name="label">The field's label the error must name; null for a key that names no field.</param>
    public async Task RefusesAsync(string targetId, string targetEmail, string key, string? label, object input, string fieldValue)
    {
        var shown = Show(input);
        var companion = key == "fieldCompanyName" ? "fieldCity" : "fieldCompanyName";
        var fields = new Dictionary<string, object> { [companion] = "Changed GmbH", [key] = input };
        var before = await client.GetStringAsync($"/subscriber/{targetId}");

        var email = NewEmail();
        await ExpectRefusalAsync($"{key} {shown}: add-or-update of a new address", await client.PostAsJsonAsync("/subscriber", new { email, fields }), key, label, fieldValue);
        using (var search = await client.PostAsJsonAsync("/subscriber/search", new { email }))
            if (search.StatusCode != HttpStatusCode.NotFound)
                _failures.Add($"{key} {shown}: the refused add-or-update created a contact ({(int)search.StatusCode} {await search.Content.ReadAsStringAsync()})");
        await ExpectRefusalAsync($"{key} {shown}: add-or-update of an existing address", await client.PostAsJsonAsync("/subscriber", new { email = targetEmail, fields }), key, label, fieldValue);
        await ExpectRefusalAsync($"{key} {shown}: PUT", await client.PutAsJsonAsync($"/subscriber/{targetId}", new { fields }), key, label, fieldValue);

        var after = await client.GetStringAsync($"/subscriber/{targetId}");
        if (after != before) _failures.Add($"{key} {shown}: a refused request changed the contact from {before} to {after}");
    }

    public void AssertAllAsExpected() => Assert.True(_failures.Count == 0, $"{_failures.Count} case(s) wrong:\n" + string.Join('\n', _failures));

    /// <summary>A JSON value as raw JSON text, such as the number <c>1e3</c>, to send as a field value.</summary>
    public static JsonElement Json(string rawJson) => JsonDocument.Parse(rawJson).RootElement;

    private async Task ExpectRefusalAsync(string what, HttpResponseMessage response, string key, string? label, string fieldValue)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.NotAcceptable)
            {
                _failures.Add($"{what}: answered {(int)response.StatusCode} {text}, expected 406 error 8");
                return;
            }
            var body = JsonDocument.Parse(text).RootElement;
            var right = body.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Number && error.GetInt32() == 8
                && (label is null || Text(body, "field") == label)
                && Text(body, "name") == key
                && Text(body, "field_value") == fieldValue
                && Text(body, "reason") is { Length: > 0 };
            if (!right)
                _failures.Add($"{what}: answered {text}, expected error 8 with field {Show(label)}, name {Show(key)}, field_value {Show(fieldValue)} and a reason");
        }
    }

    private void Expect(string what, string expected, string? actual)
    {
        if (actual != expected) _failures.Add($"{what}: read {Show(actual)}, expected {Show(expected)}");
    }

    private static string NewEmail() => $"contact-{Guid.NewGuid():N}@example.com";

    private static string? Text(JsonElement body, string key) =>
        body.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Show(object? value) => value is JsonElement json ? json.GetRawText() : Subscriber.Show(value as string);
}
