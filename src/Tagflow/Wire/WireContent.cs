namespace Tagflow.Wire;

internal static class WireContent
{
    /// <summary>Describes a body endpoint in OpenAPI with the three encodings it accepts (see <see cref="Body{T}"/>).</summary>
    public static RouteHandlerBuilder AcceptsWire<T>(this RouteHandlerBuilder builder) where T : notnull =>
        builder.Accepts<T>("application/json", "application/x-www-form-urlencoded", "multipart/form-data");
}
