using System.Net;
using System.Net.NetworkInformation;
using Tagflow.Webhooks;

namespace Tagflow.Tests.Automations;

/// <summary>
/// The checks on where a webhook may go, asked directly: the URL when a webhook is saved, and an
/// address when Tagflow is about to connect. Nothing here connects.
/// </summary>
public sealed class WebhookTargetTests
{
    [Theory]
    [InlineData("http://192.0.2.1/hook")]
    [InlineData("http://198.51.100.7/hook")]
    [InlineData("http://203.0.113.9/hook")]
    [InlineData("http://198.18.0.1/hook")]
    [InlineData("http://198.19.255.1/hook")]
    [InlineData("http://[2001:db8::1]/hook")]
    [InlineData("http://[100::1]/hook")]
    [InlineData("http://[2002:7f00:1::]/hook")]
    [InlineData("http://[64:ff9b::7f00:1]/hook")]
    [InlineData("http://[::ffff:0:7f00:1]/hook")]
    [InlineData("http://[::7f00:1]/hook")]
    [InlineData("http://[2001::1]/hook")]
    [InlineData("http://[fec0::1]/hook")]
    [InlineData("http://localhost./hook")]
    [InlineData("http://LOCALHOST./hook")]
    [InlineData("http://LocalHost:8080/hook")]
    [InlineData("http://app.localhost./hook")]
    [InlineData("http://127.0.0.1./hook")]
    [InlineData("http://①②⑦.0.0.1/hook")]
    [InlineData("http://１２７.０.０.１/hook")]
    [InlineData("http://ＬＯＣＡＬＨＯＳＴ/hook")]
    [InlineData("http://0x7f.1/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://[::]/hook")]
    public void AUrlToASpecialAddressIsRefusedWhenSaved(string url)
    {
        var problem = WebhookTargets.UrlProblem(url, allowPrivate: false);
        Assert.True(problem is not null, $"{url} is taken");
        Assert.Contains("--webhook-allow-private", problem, StringComparison.Ordinal);
        Assert.Null(WebhookTargets.UrlProblem(url, allowPrivate: true));
    }

    [Fact]
    public void AUrlToThisServersHostNameIsRefusedWhenSaved()
    {
        var name = Dns.GetHostName();
        foreach (var url in new[] { $"http://{name}:8080/hook", $"http://{name.ToUpperInvariant()}./hook" })
        {
            Assert.True(WebhookTargets.UrlProblem(url, allowPrivate: false) is not null, $"{url} is taken");
            Assert.Null(WebhookTargets.UrlProblem(url, allowPrivate: true));
        }
    }

    [Theory]
    [InlineData("https://crm.example/hook")]
    [InlineData("http://8.8.8.8/hook")]
    [InlineData("http://[2606:4700:4700::1111]:8443/hook")]
    [InlineData("http://[2002:808:808::1]/hook")]
    [InlineData("http://[64:ff9b::808:808]/hook")]
    [InlineData("https://münchen.example/hook")]
    [InlineData("https://localhost.example/hook")]
    [InlineData("https://__server__.example/hook")]
    public void AUrlToAPublicNameOrAddressIsTaken(string url) => Assert.Null(WebhookTargets.UrlProblem(url, allowPrivate: false));

    [Fact]
    public void EveryAddressOfThisMachinesInterfacesIsRefusedAtConnectTime()
    {
        var addresses = NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address).ToList();
        Assert.NotEmpty(addresses);
        foreach (var address in addresses)
        {
            var refusal = WebhookTargets.Refusal(address, OwnAddresses.Current);
            Assert.True(refusal is not null, $"{address}, an address of this machine, may be connected to");
            Assert.Contains("this server", refusal, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnAddressOfThisMachineIsRefusedAtConnectTimeEvenWhenItIsGlobal()
    {
        // As on a server with a public address of its own: the address is global, but it is this machine.
        var global = IPAddress.Parse("8.8.8.8");
        Assert.Null(WebhookTargets.Refusal(global, new HashSet<IPAddress>()));
        Assert.Contains("this server", WebhookTargets.Refusal(global, new HashSet<IPAddress> { global }), StringComparison.Ordinal);
        var v6 = IPAddress.Parse("2606:4700:4700::1111");
        Assert.Contains("this server", WebhookTargets.Refusal(v6, new HashSet<IPAddress> { v6 }), StringComparison.Ordinal);
    }
}
