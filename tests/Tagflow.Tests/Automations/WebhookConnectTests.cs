using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Tests.Infrastructure;
using Tagflow.Webhooks;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Automations.WebhookCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// The check where it counts: on the addresses a webhook's host name resolves to when Tagflow
/// connects. The server's resolver maps a test name to loopback (or to this machine's own address),
/// as a DNS record an attacker controls would; every receiver is on this machine.
/// </summary>
public sealed class WebhookConnectTests
{
    private const string Name = "receiver.example";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANameThatResolvesToLoopbackIsNotCalledWithoutAllowPrivate(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { AutomationPoll = TimeSpan.FromMilliseconds(50) },
            Resolving(IPAddress.IPv6Loopback, IPAddress.Loopback));

        var (error, delivery) = await RefusedAttemptAsync(host, receiver);

        Assert.Contains(Name, error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1: loopback", error, StringComparison.Ordinal);
        Assert.Contains("::1: loopback", error, StringComparison.Ordinal);
        Assert.Contains("--webhook-allow-private", error, StringComparison.Ordinal);
        Assert.Equal("pending", Text(delivery, "state"));
        await Task.Delay(300);
        Assert.True(receiver.NothingReceived);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANameThatResolvesToLoopbackIsCalledWithAllowPrivate(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast, Resolving(IPAddress.IPv6Loopback, IPAddress.Loopback));
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        var webhookId = Text(await CreateWebhookAsync(client, new { name = "CRM", tagid = tag, url = $"http://{Name}:{receiver.Port}/hook" }), "id");

        await AddAsync(client, new { email = "carl@example.com" });
        await TagAsync(client, "carl@example.com", tag);

        Assert.Equal("/hook", (await receiver.ReceiveAsync()).PathAndQuery);
        Assert.Equal("delivered", Text(await DeliveryAfterAsync(client, webhookId, attempts: 1), "state"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANameThatAlsoResolvesToThisMachinesOwnAddressIsNotCalled(string provider)
    {
        // A host name that resolves to 127.0.0.1 and to the machine's interface address, with a receiver
        // listening on every address: leaving out loopback alone would still reach this machine.
        var own = OwnInterfaceAddress();
        await using var receiver = await WebhookReceiver.StartAsync(IPAddress.Any);
        await using var host = await TagflowHost.StartAsync(provider, s => s with { AutomationPoll = TimeSpan.FromMilliseconds(50) },
            Resolving(IPAddress.Loopback, own));

        var (error, _) = await RefusedAttemptAsync(host, receiver);

        Assert.Contains($"{own}: ", error, StringComparison.Ordinal);
        Assert.Contains("this server", error, StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.True(receiver.NothingReceived);
    }

    /// <summary>Makes a webhook to <see cref="Name"/> on the receiver's port, tags a contact, and answers the error of its first attempt.</summary>
    private static async Task<(string Error, JsonElement Delivery)> RefusedAttemptAsync(TagflowHost host, WebhookReceiver receiver)
    {
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        // Saving takes the name: the check on a name runs when Tagflow connects, on what it resolves to then.
        var webhookId = Text(await CreateWebhookAsync(client, new { name = "CRM", tagid = tag, url = $"http://{Name}:{receiver.Port}/hook" }), "id");

        await AddAsync(client, new { email = "carl@example.com" });
        await TagAsync(client, "carl@example.com", tag);

        var delivery = await DeliveryAfterAsync(client, webhookId, attempts: 1);
        var attempt = Attempts(delivery)[0];
        Assert.Equal("", Text(attempt, "status"));
        return (Text(attempt, "error"), delivery);
    }

    /// <summary>A resolver that answers <paramref name="addresses"/> for <see cref="Name"/> and refuses any other name, so nothing leaves this machine.</summary>
    private static Action<IServiceCollection> Resolving(params IPAddress[] addresses) =>
        services => services.AddSingleton<HostResolver>((host, _) => host == Name
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)));

    /// <summary>An IPv4 address of one of this machine's interfaces other than loopback.</summary>
    private static IPAddress OwnInterfaceAddress()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.True(address is not null, "This test needs a network interface with an IPv4 address besides loopback.");
        return address;
    }
}
