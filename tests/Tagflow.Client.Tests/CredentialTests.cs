using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>The three authentication schemes of the wire contract.</summary>
public sealed class CredentialTests
{
    private const string DeveloperKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private const string CustomerKey = "3b8380fe4adc9803c0ffee";

    /// <summary>Computed outside .NET: openssl dgst -sha256 -mac HMAC -macopt hexkey:DEV, then the customer key appended, base64.</summary>
    private const string OpensslVector = "twOhNGGmNXHFWRLkx4Zkm/9LnO0zrfI72E97kjSKkEczYjgzODBmZTRhZGM5ODAzYzBmZmVl";

    [Fact]
    public async Task PartnerCredentialsSendXUnAndTheXCiOfTheWireContract()
    {
        var handler = new ScriptedHandler().ThenOk("""{"uid":"1","username":"anna"}""");
        using var kt = handler.Client(KlickTippCredentials.Partner("anna", DeveloperKey, CustomerKey));

        await kt.Account.GetAsync(CancellationToken.None);

        var sent = Assert.Single(handler.Requests);
        Assert.Equal("anna", sent.Headers["X-Un"]);
        Assert.Equal(OpensslVector, sent.Headers["X-Ci"]);
        Assert.Equal(IndependentXCi(DeveloperKey, CustomerKey), sent.Headers["X-Ci"]);
        Assert.False(sent.Headers.ContainsKey("Cookie"));
    }

    [Fact]
    public async Task TheXCiOfANonAsciiCustomerKeyCarriesItsUtf8Bytes()
    {
        const string customerKey = "kündigung-ß";
        var handler = new ScriptedHandler().ThenOk("""{"uid":"1","username":"anna"}""");
        using var kt = handler.Client(KlickTippCredentials.Partner("anna", DeveloperKey, customerKey));

        await kt.Account.GetAsync(CancellationToken.None);

        var sent = Convert.FromBase64String(Assert.Single(handler.Requests).Headers["X-Ci"]);
        Assert.Equal(Encoding.UTF8.GetBytes(customerKey), sent[32..]);
        Assert.Equal(IndependentXCi(DeveloperKey, customerKey), Convert.ToBase64String(sent));
    }

    [Fact]
    public void ADeveloperKeyThatIsNotHexIsRefusedAtOnce()
    {
        var e = Assert.Throws<ArgumentException>(() => KlickTippCredentials.Partner("anna", "not-hex", CustomerKey));
        Assert.Contains("hexadecimal", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CredentialsNeverShowTheirSecretsAsText()
    {
        var text = KlickTippCredentials.Session("anna", "s3cret-pass").ToString() + KlickTippCredentials.Partner("anna", DeveloperKey, CustomerKey);
        Assert.DoesNotContain("s3cret-pass", text, StringComparison.Ordinal);
        Assert.DoesNotContain(DeveloperKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(CustomerKey, text, StringComparison.Ordinal);
        Assert.Contains("anna", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartnerKeysIssuedByTagflowReadTheAccount()
    {
        await using var server = await TagflowServer.StartAsync();
        var (username, developerKey, customerKey) = await server.AddPartnerAsync("anna");
        using var kt = server.Client(KlickTippCredentials.Partner(username, developerKey, customerKey));

        var account = await kt.Account.GetAsync(CancellationToken.None);

        Assert.Equal("anna", account.Username);
        Assert.Equal("anna@example.com", account.Email);
        Assert.True(account.Id > 0);
        Assert.Equal("premium", account.Values["plan"]);
    }

    [Fact]
    public async Task AWrongCustomerKeyIsAccessDenied()
    {
        await using var server = await TagflowServer.StartAsync();
        var (username, developerKey, _) = await server.AddPartnerAsync("anna");
        using var kt = server.Client(KlickTippCredentials.Partner(username, developerKey, "wrong-customer-key"));

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.ListAsync(CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.AccessDenied, e.Kind);
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
    }

    [Fact]
    public async Task ASessionLogsInOnFirstUseAndOnlyOnce()
    {
        var handler = new ScriptedHandler()
            .ThenOk("""{"sessid":"abc123","session_name":"SSESSx","account":{"uid":"7","timezone":"Europe/Berlin"}}""")
            .ThenOk("""{"21":"Customer"}""")
            .ThenOk("""{"21":"Customer"}""");
        using var kt = handler.Client(KlickTippCredentials.Session("anna", "pw-123456"));

        await kt.Tags.ListAsync(CancellationToken.None);
        await kt.Tags.ListAsync(CancellationToken.None);

        Assert.Equal(["/account/login", "/tag", "/tag"], handler.Requests.Select(r => r.PathAndQuery));
        Assert.Contains("\"username\":\"anna\"", handler.Requests[0].Body, StringComparison.Ordinal);
        Assert.Equal("SSESSx=abc123", handler.Requests[1].Headers["Cookie"]);
        Assert.Equal("SSESSx=abc123", handler.Requests[2].Headers["Cookie"]);
        Assert.Equal("abc123", handler.Requests[2].Headers["X-Session-Id"]);
    }

    [Fact]
    public async Task ConcurrentFirstCallsShareOneLogin()
    {
        var loginMayAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler().ThenAsync(async (_, _) =>
        {
            await loginMayAnswer.Task; // every call has started by now, and found no session
            return Json(HttpStatusCode.OK, """{"sessid":"abc123","session_name":"S","account":{}}""");
        });
        for (var i = 0; i < 8; i++) handler.ThenOk("""{"21":"Customer"}""");
        using var kt = handler.Client(KlickTippCredentials.Session("anna", "pw-123456"));

        var calls = Enumerable.Range(0, 8).Select(_ => kt.Tags.ListAsync(CancellationToken.None)).ToList();
        loginMayAnswer.SetResult();
        await Task.WhenAll(calls).WaitAsync(FailSafe);

        Assert.Single(handler.Requests, r => r.PathAndQuery == "/account/login");
        Assert.All(handler.Requests.Skip(1), r => Assert.Equal("S=abc123", r.Headers["Cookie"]));
    }

    [Fact]
    public async Task ConcurrentCallsRefusedWithTheSameExpiredSessionLogInAgainOnce()
    {
        const int calls = 6;
        var logins = 0;
        var expired = false;
        var refused = 0;
        var allRefused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler();
        for (var i = 0; i < 3 * calls; i++)
        {
            handler.ThenAsync(async (request, _) =>
            {
                if (request.RequestUri!.AbsolutePath == "/account/login")
                {
                    var session = "s" + Interlocked.Increment(ref logins).ToString(CultureInfo.InvariantCulture);
                    return Json(HttpStatusCode.OK, """{"sessid":"SESSION","session_name":"S","account":{}}""".Replace("SESSION", session, StringComparison.Ordinal));
                }
                if (!Volatile.Read(ref expired) || request.Headers.GetValues("Cookie").Single() != "S=s1")
                    return Json(HttpStatusCode.OK, """{"21":"Customer"}""");
                // Hold every refusal until all calls have been sent with the stale session.
                if (Interlocked.Increment(ref refused) == calls) allRefused.SetResult();
                await allRefused.Task;
                return Json(HttpStatusCode.Unauthorized, """["The session has expired."]""");
            });
        }
        using var kt = handler.Client(KlickTippCredentials.Session("anna", "pw-123456"));
        await kt.Tags.ListAsync(CancellationToken.None); // logs in: session s1
        Volatile.Write(ref expired, true);

        var tags = await Task.WhenAll(Enumerable.Range(0, calls).Select(_ => kt.Tags.ListAsync(CancellationToken.None))).WaitAsync(FailSafe);

        Assert.All(tags, t => Assert.Equal("Customer", t[21]));
        Assert.Equal(calls, refused);
        Assert.Equal(2, logins); // s1, then one s2 for all the refused calls
    }

    [Fact]
    public async Task LoggingOutWithoutASessionSendsNothing()
    {
        var handler = new ScriptedHandler()
            .ThenOk("""{"sessid":"abc123","session_name":"S","account":{}}""")
            .ThenOk("""{"21":"Customer"}""")
            .ThenOk();
        using var kt = handler.Client(KlickTippCredentials.Session("anna", "pw-123456"));

        await kt.Account.LogoutAsync(CancellationToken.None);
        Assert.Empty(handler.Requests);

        await kt.Tags.ListAsync(CancellationToken.None);
        await kt.Account.LogoutAsync(CancellationToken.None);
        await kt.Account.LogoutAsync(CancellationToken.None);

        Assert.Equal(["/account/login", "/tag", "/account/logout"], handler.Requests.Select(r => r.PathAndQuery));
        Assert.Equal("S=abc123", handler.Requests[2].Headers["Cookie"]);
    }

    [Fact]
    public async Task AnExpiredSessionIsRenewedByLoggingInAgainOnce()
    {
        var handler = new ScriptedHandler()
            .ThenOk("""{"sessid":"first","session_name":"S","account":{}}""")
            .Then(HttpStatusCode.Forbidden, """["The session has expired or was ended: log in again with POST /account/login."]""")
            .ThenOk("""{"sessid":"second","session_name":"S","account":{}}""")
            .ThenOk("""{"21":"Customer"}""");
        using var kt = handler.Client(KlickTippCredentials.Session("anna", "pw-123456"));

        var tags = await kt.Tags.ListAsync(CancellationToken.None);

        Assert.Equal("Customer", tags[21]);
        Assert.Equal(["/account/login", "/tag", "/account/login", "/tag"], handler.Requests.Select(r => r.PathAndQuery));
        Assert.Equal("S=second", handler.Requests[3].Headers["Cookie"]);
    }

    [Fact]
    public async Task ARefusalAfterTheRenewedLoginIsThrownNotRetriedForever()
    {
        var handler = new ScriptedHandler()
            .ThenOk("""{"sessid":"first","session_name":"S","account":{}}""")
            .Then(HttpStatusCode.Forbidden, """["API access denied."]""")
            .ThenOk("""{"sessid":"second","session_name":"S","account":{}}""")
            .Then(HttpStatusCode.Forbidden, """["API access denied."]""");
        using var kt = handler.Client(KlickTippCredentials.Session("anna", "pw-123456"));

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.ListAsync(CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.AccessDenied, e.Kind);
        Assert.Equal("API access denied.", e.UserMessage);
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public async Task ASessionThatExpiredOnTagflowIsRenewedWithoutTheCallerNoticing()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = server.Client(await server.AddSessionAccountAsync("anna"));
        var id = await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);

        server.Clock.Advance(TimeSpan.FromMinutes(61));
        var tags = await kt.Tags.ListAsync(CancellationToken.None);

        Assert.Equal("Customer", tags[id]);
    }

    [Fact]
    public async Task AfterLogoutTheNextCallLogsInAgain()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = server.Client(await server.AddSessionAccountAsync("anna"));
        await kt.Account.GetAsync(CancellationToken.None);

        await kt.Account.LogoutAsync(CancellationToken.None);

        Assert.Equal("anna", (await kt.Account.GetAsync(CancellationToken.None)).Username);
    }

    [Fact]
    public async Task AWrongPasswordIsAWrongLoginError()
    {
        await using var server = await TagflowServer.StartAsync();
        await server.AddSessionAccountAsync("anna");
        using var kt = server.Client(KlickTippCredentials.Session("anna", "not the password"));

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Account.GetAsync(CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.WrongLogin, e.Kind);
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Equal("Wrong username or password.", e.UserMessage);
    }

    [Fact]
    public async Task AStandardPlanAccountIsDeniedApiAccess()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = server.Client(await server.AddSessionAccountAsync("stan", premium: false));

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.ListAsync(CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.AccessDenied, e.Kind);
        Assert.Equal("API access denied.", e.UserMessage);
    }

    [Fact]
    public async Task AManagementCallWithoutCredentialsSaysHowToConfigureThem()
    {
        using var kt = new ScriptedHandler().Client(adjust: o => o.Credentials = null);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => kt.Tags.ListAsync(CancellationToken.None));

        Assert.Contains("KlickTippCredentials.Partner", e.Message, StringComparison.Ordinal);
    }

    private static readonly TimeSpan FailSafe = TimeSpan.FromSeconds(30);

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    /// <summary>X-Ci from first principles, without the client's code: the MAC, then the key's bytes, base64.</summary>
    private static string IndependentXCi(string developerKeyHex, string customerKey)
    {
        var key = new byte[developerKeyHex.Length / 2];
        for (var i = 0; i < key.Length; i++)
            key[i] = byte.Parse(developerKeyHex.AsSpan(2 * i, 2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        var message = Encoding.UTF8.GetBytes(customerKey);
        hmac.AppendData(message);
        using var joined = new MemoryStream();
        joined.Write(hmac.GetHashAndReset());
        joined.Write(message);
        return Convert.ToBase64String(joined.ToArray());
    }
}
