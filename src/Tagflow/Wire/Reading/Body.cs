using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tagflow.Wire;

/// <summary>
/// Marks the request type of a filter call (such as a contact search), which also reads its keys
/// from the query string. Other calls do not, so that passwords and keys stay out of URLs and logs.
/// </summary>
internal interface IWireFilter;

/// <summary>
/// A request body of type <typeparamref name="T"/>, bound the same way from JSON, form and multipart
/// bodies (and the query string). Use as a handler parameter: <c>Body&lt;TagCreate&gt; body</c>.
/// </summary>
internal sealed partial record Body<T>(T Value) where T : class
{
    public static async ValueTask<Body<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var json = await WireBody.ReadAsync(context.Request, readQuery: typeof(IWireFilter).IsAssignableFrom(typeof(T)), context.RequestAborted);
        try
        {
            var value = json.Deserialize<T>(WireJson.Request)
                ?? throw new WireBadRequestException("The request body is empty.");
            return new Body<T>(value);
        }
        catch (JsonException e)
        {
            throw new WireBadRequestException(Describe(e));
        }
        catch (InvalidOperationException)
        {
            throw new WireBadRequestException("The request body is nested too deeply.");
        }

    }

    private static string Describe(JsonException e)
    {
        var path = JsonPath().Matches(e.Path ?? "").Select(m => m.Groups[1].Success ? m.Groups[1].Value
            : m.Groups[2].Success ? m.Groups[2].Value.Replace("''", "'", StringComparison.Ordinal)
            : m.Groups[3].Value).ToList();
        if (path.Count == 0) return "The request body could not be read.";
        // As a form would name it: fields[fieldFirstName], tagids[3].
        var shown = WireText.Echo(path[0] + string.Concat(path.Skip(1).Select(p => $"[{p}]")));
        if (e is WireJson.ListTooLongException) return $"The key \"{WireText.Echo(path[0])}\" may hold at most {WireJson.MaxListValues} values.";
        var property = typeof(T).GetProperties().FirstOrDefault(p => string.Equals(p.Name, path[0], StringComparison.OrdinalIgnoreCase));
        if (property is null) return $"The request body could not be read at \"{shown}\".";
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        // Past the key, a value inside the list or map is the problem, not the list or map itself.
        for (var depth = 1; depth < path.Count && type.IsGenericType; depth++)
            type = type.GetGenericArguments()[^1];
        return $"The key \"{shown}\" must be {Expected(Nullable.GetUnderlyingType(type) ?? type)}.";
    }

    private static string Expected(Type type) =>
        type == typeof(long) ? "a whole number"
        : type == typeof(bool) ? "true or false (or 1 or 0)"
        : type == typeof(string) ? "a string"
        : type == typeof(List<long>) ? "a list of whole numbers"
        : type == typeof(List<string>) ? "a list of strings"
        : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? "an object of keys and values"
        : "a value of another type";

    /// <summary>The segments of a System.Text.Json path: <c>$.fields.fieldFirstName</c>, <c>$['odd key']</c>, <c>$.tagids[3]</c>.</summary>
    [GeneratedRegex(@"\.([^.\[]+)|\['((?:[^']|'')*)'\]|\[(\d+)\]")]
    private static partial Regex JsonPath();
}
