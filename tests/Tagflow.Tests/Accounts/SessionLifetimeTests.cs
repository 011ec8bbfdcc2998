using System.Net;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Accounts;

/// <summary>Sessions expire after idle time and live in the database, not in one server's memory.</summary>
public sealed class SessionLifetimeTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ASessionIdleForMoreThanAnHourIsRefused(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");
        using var client = host.SessionClient(await host.LoginAsync("anna"));

        host.Clock.Advance(TimeSpan.FromMinutes(61));

        await WireAssert.MessageAsync(await client.GetAsync("/account"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ASessionUsedEveryFiftyMinutesStaysAlive(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");
        using var client = host.SessionClient(await host.LoginAsync("anna"));

        for (var step = 0; step < 3; step++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(50));
            await WireAssert.OkAsync(await client.GetAsync("/account"));
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ASessionWorksOnAnotherInstanceAndEndsOnAllOfThem(string provider)
    {
        await using var first = await TagflowHost.StartAsync(provider);
        await first.AddAccountAsync("anna");
        var sessid = await first.LoginAsync("anna");

        // A second server on the same database stands for both another instance and a restart.
        await using var second = await TagflowHost.StartOnAsync(first.Database, first.Clock);
        using var onSecond = second.SessionClient(sessid);
        var account = await WireAssert.OkAsync(await onSecond.GetAsync("/account"));
        Assert.Equal("anna", account.GetProperty("username").GetString());

        await WireAssert.OkAsync(await onSecond.PostAsync("/account/logout", null));
        using var onFirst = first.SessionClient(sessid);
        await WireAssert.MessageAsync(await onFirst.GetAsync("/account"), HttpStatusCode.Forbidden);
    }
}
