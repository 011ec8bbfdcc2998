using Microsoft.AspNetCore.Diagnostics;

namespace Tagflow.Wire;

internal static class WireMiddleware
{
    /// <summary>
    /// The wire's cross-cutting rules, in order: the request log, readable 400/500 answers for
    /// anything thrown, list-of-strings bodies for bare status codes, and the <c>.json</c> suffix.
    /// </summary>
    public static WebApplication UseWire(this WebApplication app)
    {
        app.UseRequestLog();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteExceptionAsync,
            StatusCodeSelector = StatusFor,
            // A request the client got wrong is answered 400 and is no server error worth a stack trace in the log.
            SuppressDiagnosticsCallback = c => StatusFor(c.Exception) == StatusCodes.Status400BadRequest,
        });
        app.UseStatusCodePages(new StatusCodePagesOptions { HandleAsync = WriteStatusAsync });
        app.Use(StripJsonSuffix);
        return app;
    }

    /// <summary><c>/tag.json</c> and <c>/subscriber/123.json</c> mean <c>/tag</c> and <c>/subscriber/123</c>.</summary>
    private static Task StripJsonSuffix(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value;
        if (path is { Length: > 5 } && path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            context.Request.Path = path[..^5];
        return next(context);
    }

    private static int StatusFor(Exception e) => e is WireBadRequestException or BadHttpRequestException
        ? StatusCodes.Status400BadRequest
        : StatusCodes.Status500InternalServerError;

    private static Task WriteExceptionAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var message = error switch
        {
            WireBadRequestException e => e.Message,
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                $"The request body is too large: the limit is {context.RequestServices.GetRequiredService<TagflowSettings>().MaxBodyBytes} bytes.",
            BadHttpRequestException e => $"The request could not be read: {e.Message}",
            // Never the exception's text: it may name internals. The log has it in full.
            _ => "Internal error: the server could not complete the request. Please try again later.",
        };
        return WireResults.WriteMessagesAsync(context.Response, StatusFor(error ?? new InvalidOperationException()), message);
    }

    private static Task WriteStatusAsync(StatusCodeContext status)
    {
        var response = status.HttpContext.Response;
        var original = response.StatusCode;
        // OPTIONS asks which methods a path has: routing found the path and set Allow; that is the answer.
        if (original == StatusCodes.Status405MethodNotAllowed && HttpMethods.IsOptions(status.HttpContext.Request.Method))
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }
        // The wire answers an encoding it cannot read as any malformed request: 400, naming the problem.
        if (original == StatusCodes.Status415UnsupportedMediaType)
            response.StatusCode = StatusCodes.Status400BadRequest;
        var message = original switch
        {
            StatusCodes.Status404NotFound => WireResults.NoSuchEntity,
            StatusCodes.Status405MethodNotAllowed => $"{WireText.Echo(status.HttpContext.Request.Method)} is not allowed on {WireText.Echo(status.HttpContext.Request.Path.Value ?? "")}.",
            StatusCodes.Status415UnsupportedMediaType => $"Unsupported Content-Type '{WireText.Echo(status.HttpContext.Request.ContentType ?? "")}': "
                + "send application/json, application/x-www-form-urlencoded or multipart/form-data.",
            StatusCodes.Status400BadRequest => "The request could not be read.",
            _ => $"The request failed with status {original}.",
        };
        return WireResults.WriteMessagesAsync(response, response.StatusCode, message);
    }
}
