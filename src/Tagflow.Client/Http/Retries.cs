using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Tagflow.Client.Http;

/// <summary>
/// The retry pipeline, through Microsoft.Extensions.Http.Resilience: exponential backoff with jitter,
/// <c>Retry-After</c> honoured, an attempt timeout inside each try.
/// </summary>
internal static class Retries
{
    private static readonly HttpRequestOptionsKey<bool> OnlyIfNotReceivedKey = new("Tagflow.Client.OnlyIfNotReceived");

    public static void Mark(HttpRequestMessage request, Repeat repeat)
    {
        if (repeat == Repeat.OnlyIfNotReceived) request.Options.Set(OnlyIfNotReceivedKey, true);
    }

    /// <summary>The pipeline of a client that owns its handler; through DI, the factory's builder is configured instead.</summary>
    public static ResiliencePipeline<HttpResponseMessage> Build(KlickTippClientOptions options) =>
        Configure(new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider }, options).Build();

    public static ResiliencePipelineBuilder<HttpResponseMessage> Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, KlickTippClientOptions options)
    {
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.GetRequestMessage(), options)),
            });
        }
        return builder.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.AttemptTimeout });
    }

    /// <summary>
    /// 4xx is never retried, except 429, which says the server did nothing and when to come back, and a
    /// 409 with <c>Retry-After</c>, Tagflow's answer while an earlier attempt of the same write (its
    /// Idempotency-Key) is still being answered: the repeat then gets that attempt's answer.
    /// A failure to connect is retried for every call. 5xx, 408, timeouts and broken connections leave
    /// open whether the server acted, so only calls that may safely run twice are retried after them.
    /// </summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request, KlickTippClientOptions options)
    {
        var repeatable = request is null || !request.Options.TryGetValue(OnlyIfNotReceivedKey, out var onlyIfNotReceived) || !onlyIfNotReceived;
        if (outcome.Result is { } response)
        {
            return response.StatusCode switch
            {
                HttpStatusCode.TooManyRequests => RetryAfter(response, options.TimeProvider) is not { } wait || wait <= options.MaxRetryAfter,
                HttpStatusCode.Conflict => RetryAfter(response, options.TimeProvider) is { } wait && wait <= options.MaxRetryAfter,
                HttpStatusCode.RequestTimeout => repeatable,
                >= HttpStatusCode.InternalServerError => repeatable,
                _ => false,
            };
        }
        return outcome.Exception switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => true,
            HttpRequestException or TimeoutRejectedException => repeatable,
            _ => false,
        };
    }

    /// <summary>The wait a 429 or 503 asks for, as seconds or as a date.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
