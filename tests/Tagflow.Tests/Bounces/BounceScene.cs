using MimeKit;
using Tagflow.Bounces;
using Tagflow.Tests.Automations;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Bounces;

/// <summary>
/// What each bounce test starts from: a relay, a server sending through it from bounce addresses
/// (with its SMTP listener, unless the test reads a mailbox instead), and the account "anna" with a
/// single opt-in process and a campaign started by the tag "Lead" (one email "Hi" unless told otherwise).
/// </summary>
internal sealed class BounceScene : IAsyncDisposable
{
    private BounceScene(TestSmtpServer relay, int listen, TagflowHost host, HttpClient client) => (Relay, Listen, Host, Client) = (relay, listen, host, client);

    public TestSmtpServer Relay { get; }
    public int Listen { get; }
    public TagflowHost Host { get; }
    public HttpClient Client { get; }
    public long List { get; private set; }
    public long Start { get; private set; }

    public static async Task<BounceScene> StartAsync(string provider, object[]? steps = null, Func<BounceSettings, BounceSettings>? adjust = null, bool listen = true)
    {
        var relay = await TestSmtpServer.StartAsync();
        var port = FreePort.Next();
        var host = await TagflowHost.StartAsync(provider, s => BounceMessages.Settings(s, relay, listen ? port : null, adjust));
        var scene = new BounceScene(relay, port, host, await host.NewAccountClientAsync("anna"));
        scene.List = await SingleOptInListAsync(scene.Client);
        scene.Start = await CreateTagAsync(scene.Client, "Lead");
        await CreateCampaignAsync(scene.Client, new { name = "Welcome", tagid = scene.Start, steps = steps ?? [new { type = "email", subject = "Hi", text = "Welcome!" }] });
        return scene;
    }

    /// <summary>Subscribes a contact with the start tag; answers its id.</summary>
    public Task<string> SubscribeAsync(string email) => AutomationCalls.SubscribeAsync(Client, email, List, Start);

    /// <summary>The fixture sent to the listener for <paramref name="original"/>, to its bounce address or to <paramref name="to"/>.</summary>
    public Task BounceAsync(string fixture, MimeMessage original, string? to = null) => BounceMessages.BounceAsync(Listen, Relay, fixture, original, to);

    public async Task<string> BounceOfAsync(string id) => Text(await GetAsync(Client, id), "bounce");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        await Relay.DisposeAsync();
    }
}
