using Microsoft.AspNetCore.Http.Metadata;

namespace Tagflow.Wire;

/// <summary>How wire endpoints describe themselves in the OpenAPI document.</summary>
internal static class WireContent
{
    private const string Json = "application/json";

    /// <summary>Describes a body endpoint with the three encodings it accepts (see <see cref="Body{T}"/>).</summary>
    public static RouteHandlerBuilder AcceptsWire<T>(this RouteHandlerBuilder builder) where T : notnull =>
        builder.Accepts<T>(Json, "application/x-www-form-urlencoded", "multipart/form-data");

    /// <summary>
    /// Lets every GET endpoint of the group answer HEAD too, as HTTP expects: the same status and headers,
    /// no body (the server drops it). Only for reading calls: links whose GET does something (a
    /// confirmation, an email's click) stay GET only, since mail scanners send HEAD to check them.
    /// </summary>
    public static RouteGroupBuilder AnswersHead(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is { } methods
                && methods.HttpMethods.Contains(HttpMethods.Get) && !methods.HttpMethods.Contains(HttpMethods.Head))
                endpoint.Metadata.Add(new HttpMethodMetadata([.. methods.HttpMethods, HttpMethods.Head]));
        });
        return group;
    }

    /// <summary>Documents the error answers every authenticated endpoint of the group may give.</summary>
    public static RouteGroupBuilder WithWireErrors(this RouteGroupBuilder group) => group
        .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(string[]), [Json]))
        .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(string[]), [Json]))
        .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(string[]), [Json]))
        .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status406NotAcceptable, typeof(WireError), [Json]));
}
