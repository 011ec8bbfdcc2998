using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Accounts;

/// <summary>Repeated wrong logins for one username are slowed down by a lockout.</summary>
public sealed class LoginLockoutTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task FiveWrongPasswordsLockTheUsernameUntilRetryAfter(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");
        await host.AddAccountAsync("otto");
        for (var attempt = 0; attempt < 5; attempt++)
            await WireAssert.MessageAsync(await LoginAsync(host, "anna", "not the password"), HttpStatusCode.Unauthorized);

        using var locked = await LoginAsync(host, "anna", TagflowHost.Password);
        var message = await WireAssert.MessageAsync(locked, (HttpStatusCode)429);
        Assert.False(string.IsNullOrWhiteSpace(message));
        var retryAfter = locked.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.True(retryAfter > TimeSpan.Zero, $"Retry-After is {retryAfter}");

        // The lockout is per username: another account logs in meanwhile.
        await WireAssert.OkAsync(await LoginAsync(host, "otto", TagflowHost.Password));

        host.Clock.Advance(retryAfter.Value + TimeSpan.FromSeconds(1));
        await WireAssert.OkAsync(await LoginAsync(host, "anna", TagflowHost.Password));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ParallelGuessesGetNoMoreTriesThanTheLimit(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");

        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => LoginAsync(host, "anna", $"guess {i}")));

        var checkedGuesses = answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized);
        Assert.True(checkedGuesses <= 5, $"{checkedGuesses} guesses were checked; the limit is 5");
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Unauthorized, (HttpStatusCode)429 }));
        Assert.Equal((HttpStatusCode)429, (await LoginAsync(host, "anna", TagflowHost.Password)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OneAddressGetsAFixedNumberOfLoginsAMinute(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, s => s with { LoginsPerMinutePerAddress = 3 });
        await host.AddAccountAsync("anna");
        for (var i = 0; i < 3; i++)
            await WireAssert.OkAsync(await LoginAsync(host, "anna", TagflowHost.Password));

        using var limited = await LoginAsync(host, "anna", TagflowHost.Password);
        Assert.Contains("Too many logins", await WireAssert.MessageAsync(limited, (HttpStatusCode)429), StringComparison.Ordinal);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        // Only logins are limited: the API itself answers on.
        using var api = await host.NewAccountClientAsync("otto");
        await WireAssert.OkAsync(await api.GetAsync("/tag"));
    }

    private static Task<HttpResponseMessage> LoginAsync(TagflowHost host, string username, string password) =>
        host.Client.PostAsJsonAsync("/account/login", new { username, password });
}
