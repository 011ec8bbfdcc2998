using System.Reflection;
using System.Text.Json;

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
internal sealed record Body<T>(T Value) where T : class
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
        var path = e.Path is { Length: > 2 } p ? p[2..] : "";
        var key = path.Split('.', '[')[0];
        var property = typeof(T).GetProperties().FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase));
        if (property is null) return $"The request body could not be read at \"{path}\".";
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var expected = type == typeof(long) ? "a whole number"
            : type == typeof(bool) ? "true or false (or 1 or 0)"
            : type == typeof(string) ? "a string"
            : type == typeof(List<long>) ? "a list of whole numbers"
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? "an object of keys and values"
            : "a value of another type";
        return $"The key \"{path}\" must be {expected}.";
    }
}
