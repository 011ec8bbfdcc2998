using System.Net;
using System.Net.Http.Json;
using Tagflow.Accounts;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Accounts;

/// <summary>Session login and logout (WIRE.md, "Authentication", scheme 1).</summary>
public sealed class SessionTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task LoginAnswersTheSessionInEveryBodyEncoding(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");

        foreach (var body in LoginBodies("anna", TagflowHost.Password))
        {
            using var response = await host.Client.PostAsync("/account/login", body);
            var answer = await WireAssert.OkAsync(response);
            var sessid = answer.GetProperty("sessid").GetString()!;
            Assert.Equal("TFSESSID", answer.GetProperty("session_name").GetString());
            Assert.Equal("anna", answer.GetProperty("account").GetProperty("username").GetString());
            Assert.Matches("^[0-9]+$", answer.GetProperty("account").GetProperty("uid").GetString());

            var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
            Assert.StartsWith($"TFSESSID={sessid}; path=/", cookie, StringComparison.Ordinal);
            Assert.Contains("; httponly", cookie, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheCookieOrTheSessionHeaderAuthenticates(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");
        var sessid = await host.LoginAsync("anna");

        using var byCookie = host.SessionClient(sessid);
        Assert.Equal("anna", (await WireAssert.OkAsync(await byCookie.GetAsync("/account"))).GetProperty("username").GetString());
        using var byHeader = host.NewClient();
        byHeader.DefaultRequestHeaders.Add("X-Session-Id", sessid);
        Assert.Equal("anna", (await WireAssert.OkAsync(await byHeader.GetAsync("/account"))).GetProperty("username").GetString());
        await WireAssert.MessageAsync(await host.Client.GetAsync("/account"), HttpStatusCode.Forbidden);

        // A stale cookie does not hide a valid header, nor a stray X-Un a valid cookie.
        using var both = host.SessionClient("stale");
        both.DefaultRequestHeaders.Add("X-Session-Id", sessid);
        await WireAssert.OkAsync(await both.GetAsync("/account"));
        using var withUsername = host.SessionClient(sessid);
        withUsername.DefaultRequestHeaders.Add("X-Un", "anna");
        await WireAssert.OkAsync(await withUsername.GetAsync("/account"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AWrongPasswordOrAnUnknownUsernameGets401(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");

        using var wrongPassword = await host.Client.PostAsJsonAsync("/account/login", new { username = "anna", password = "not the password" });
        Assert.Equal("Wrong username or password.", await WireAssert.MessageAsync(wrongPassword, HttpStatusCode.Unauthorized));
        using var unknownUser = await host.Client.PostAsJsonAsync("/account/login", new { username = "nobody", password = TagflowHost.Password });
        Assert.Equal("Wrong username or password.", await WireAssert.MessageAsync(unknownUser, HttpStatusCode.Unauthorized));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ALoginWithoutUsernameIsABadRequestNamingIt(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);

        using var response = await host.Client.PostAsJsonAsync("/account/login", new { password = TagflowHost.Password });

        Assert.Contains("username", await WireAssert.MessageAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task LogoutEndsTheSession(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");
        using var client = host.SessionClient(await host.LoginAsync("anna"));
        await WireAssert.OkAsync(await client.GetAsync("/account"));

        var answer = await WireAssert.OkAsync(await client.PostAsync("/account/logout", null));

        Assert.Equal("[true]", answer.GetRawText());
        await WireAssert.MessageAsync(await client.GetAsync("/account"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AStandardPlanLoginIsDeniedWithoutASession(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("stan", Plan.Standard);

        using var response = await host.Client.PostAsJsonAsync("/account/login", new { username = "stan", password = TagflowHost.Password });

        Assert.Equal("API access denied.", await WireAssert.MessageAsync(response, HttpStatusCode.Forbidden));
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    private static IEnumerable<HttpContent> LoginBodies(string username, string password)
    {
        yield return JsonContent.Create(new { username, password });
        yield return new FormUrlEncodedContent([new("username", username), new("password", password)]);
        yield return new MultipartFormDataContent { { new StringContent(username), "username" }, { new StringContent(password), "password" } };
    }
}
