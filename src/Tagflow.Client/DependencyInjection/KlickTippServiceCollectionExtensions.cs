using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Tagflow.Client;
using Tagflow.Client.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="KlickTippClient"/> with <see cref="IServiceCollection"/> and IHttpClientFactory.</summary>
public static class KlickTippServiceCollectionExtensions
{
    /// <summary>The name of the HttpClient and of the options the client uses.</summary>
    public const string HttpClientName = "Tagflow.Client.KlickTippClient";

    /// <summary>
    /// Registers a singleton <see cref="KlickTippClient"/> that sends through IHttpClientFactory, with the
    /// client's retry pipeline (Microsoft.Extensions.Http.Resilience). The returned builder adds handlers
    /// beneath the retries, or sets the primary handler.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the base address, credentials and limits.</param>
    /// <returns>The builder of the client's named HttpClient.</returns>
    public static IHttpClientBuilder AddKlickTippClient(this IServiceCollection services, Action<KlickTippClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(HttpClientName, configure);
        var builder = services.AddHttpClient(HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false });
        builder.AddResilienceHandler("klicktipp", (pipeline, context) =>
            Retries.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptionsMonitor<KlickTippClientOptions>>().Get(HttpClientName).Validated()));
        services.TryAddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            var options = sp.GetRequiredService<IOptionsMonitor<KlickTippClientOptions>>().Get(HttpClientName);
            return new KlickTippClient(() => factory.CreateClient(HttpClientName), options);
        });
        return builder;
    }
}
