using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Automations.WebhookCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>POST|GET|PUT|DELETE /webhook: what is refused, where the secret shows, whose webhooks an account sees, what a webhook's use protects.</summary>
public sealed class WebhookManagementTests
{
    private const string Url = "https://crm.example/hook";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AWebhookThatCannotWorkIsRefusedWithASentence(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        object[] refused =
        [
            new { tagid = tag, url = Url },
            new { name = "  ", tagid = tag, url = Url },
            new { name = "CRM", tagid = tag },
            new { name = "CRM", tagid = tag, url = "crm.example/hook" },
            new { name = "CRM", tagid = tag, url = "ftp://crm.example/hook" },
            new { name = "CRM", tagid = tag, url = Url, method = "PUT" },
            new { name = "CRM", tagid = tag, url = Url, format = "xml" },
            new { name = "CRM", tagid = tag, url = Url + "?who=__who__" },
            new { name = "CRM", tagid = tag, url = Url + "?who=__who__", parameters = new object[] { new { name = "whom", value = "x" } } },
            // The address goes under "mail" here, so nothing is sent as "email" and nothing fills __email__.
            new { name = "CRM", tagid = tag, url = Url + "?who=__email__", parameters = new object[] { new { name = "mail", field = "email" } } },
            new { name = "CRM", tagid = tag, url = Url, parameters = new object[] { new { name = "x", field = "fieldNoSuch" } } },
            new { name = "CRM", tagid = tag, url = Url, parameters = new object[] { new { name = "x", field = "password" } } },
            new { name = "CRM", tagid = tag, url = Url, parameters = new object[] { new { name = "x" } } },
            new { name = "CRM", tagid = tag, url = Url, parameters = new object[] { new { name = "x", field = "email", value = "y" } } },
            new { name = "CRM", tagid = tag, url = Url, parameters = new object[] { new { name = "-x", value = "y" } } },
            new { name = "CRM", tagid = tag, url = Url, parameters = new object[] { new { name = "x", value = "1" }, new { name = "x", value = "2" } } },
        ];
        foreach (var body in refused)
            Assert.NotEqual("", await WireAssert.MessageAsync(await client.PostAsJsonAsync("/webhook", body), HttpStatusCode.BadRequest));
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/webhook"))).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownTriggerTagIsRefusedWithError403(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/webhook", new { name = "CRM", tagid = 987654, url = Url }), 403);

        var webhookId = Text(await CreateWebhookAsync(client, new { name = "CRM", url = Url }), "id");
        await WireAssert.RefusedAsync(await PutAsync(client, webhookId, new { tagid = 987654 }), 403);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheSecretShowsOnCreationAndForOneWebhookButNotInTheList(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        var created = await CreateWebhookAsync(client, new
        {
            name = "CRM", tagid = tag, url = Url + "?who=__mail__", method = "post", format = "FORM",
            parameters = new object[] { new { name = "mail", field = "email" }, new { name = "first", field = "fieldfirstname" }, new { name = "source", value = "tagflow" } },
        });

        Assert.Equal("CRM", Text(created, "name"));
        Assert.Equal(Id(tag), Text(created, "tagid"));
        Assert.Equal(Url + "?who=__mail__", Text(created, "url"));
        Assert.Equal("POST", Text(created, "method"));
        Assert.Equal("form", Text(created, "format"));
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.Equal(
            ["mail:field:email", "first:field:fieldFirstName", "source:value:tagflow"],
            created.GetProperty("parameters").EnumerateArray().Select(p => string.Join(':', p.EnumerateObject().Select(e => e.Name == "name" ? e.Value.GetString() : e.Name + ":" + e.Value.GetString()))));
        var secret = Text(created, "secret");
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);

        var id = Text(created, "id");
        Assert.Equal(secret, Text(await GetWebhookAsync(client, id), "secret"));
        var listed = Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/webhook"))).EnumerateArray());
        Assert.Equal(id, Text(listed, "id"));
        Assert.False(listed.TryGetProperty("secret", out _));
        var changed = await WireAssert.OkAsync(await PutAsync(client, id, new { name = "CRM 2" }));
        Assert.False(changed.TryGetProperty("secret", out _));
        Assert.Equal("CRM 2", Text(changed, "name"));
        Assert.Equal(Url + "?who=__mail__", Text(changed, "url")); // keys left out stay
        Assert.Equal(3, changed.GetProperty("parameters").GetArrayLength());
        // Another webhook has a secret of its own.
        Assert.NotEqual(secret, Text(await CreateWebhookAsync(client, new { name = "Other", url = Url }), "secret"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountsWebhookIsNotFoundForEveryCall(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var tag = await CreateTagAsync(anna, "Customer");
        var annas = Text(await CreateWebhookAsync(anna, new { name = "CRM", tagid = tag, url = receiver.Url("/hook") }), "id");
        var berts = Text(await CreateWebhookAsync(bert, new { name = "CRM", url = receiver.Url("/hook") }), "id");
        receiver.AnswerFromNow(500);
        await AddAsync(anna, new { email = "carl@example.com" });
        await TagAsync(anna, "carl@example.com", tag);
        var delivery = Text(await DeliveryAfterAsync(anna, annas, attempts: 1), "id");

        await WireAssert.MessageAsync(await bert.GetAsync($"/webhook/{annas}"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await PutAsync(bert, annas, new { name = "Mine" }), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await bert.GetAsync($"/webhook/{annas}/deliveries"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await RetryAsync(bert, annas, delivery), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await RetryAsync(bert, berts, delivery), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await bert.DeleteAsync($"/webhook/{annas}"), HttpStatusCode.NotFound);
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/webhook", new { name = "Theirs", tagid = tag, url = Url }), 403);
        Assert.Equal([berts], (await WireAssert.OkAsync(await bert.GetAsync("/webhook"))).EnumerateArray().Select(w => Text(w, "id")));

        var still = await GetWebhookAsync(anna, annas);
        Assert.Equal("CRM", Text(still, "name"));
        Assert.Single(await DeliveriesAsync(anna, annas));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AWebhookACampaignCallsAndATriggerTagCannotBeDeleted(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var start = await CreateTagAsync(client, "Buyer");
        var trigger = await CreateTagAsync(client, "Customer");
        var webhookId = Text(await CreateWebhookAsync(client, new { name = "CRM", tagid = trigger, url = Url }), "id");
        var campaignId = Text(await CreateCampaignAsync(client, new { name = "Welcome", tagid = start, steps = new object[] { new { type = "webhook", webhookid = webhookId } } }), "id");

        await WireAssert.RefusedAsync(await client.DeleteAsync($"/webhook/{webhookId}"), 611);
        await WireAssert.RefusedAsync(await client.DeleteAsync($"/tag/{trigger}"), 610);
        await GetWebhookAsync(client, webhookId);

        await AssertTrueAsync(await client.DeleteAsync($"/campaign/{campaignId}"));
        await AssertTrueAsync(await client.DeleteAsync($"/webhook/{webhookId}"));
        await WireAssert.MessageAsync(await client.GetAsync($"/webhook/{webhookId}"), HttpStatusCode.NotFound);
        await AssertTrueAsync(await client.DeleteAsync($"/tag/{trigger}"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownWebhookOrDeliveryIsNotFound(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var webhookId = Text(await CreateWebhookAsync(client, new { name = "CRM", url = Url }), "id");

        await WireAssert.MessageAsync(await client.GetAsync("/webhook/987654"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await PutAsync(client, "987654", new { name = "X" }), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.DeleteAsync("/webhook/987654"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.GetAsync("/webhook/987654/deliveries"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await RetryAsync(client, webhookId, "987654"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.GetAsync($"/webhook/{webhookId}/deliveries?limit=0"), HttpStatusCode.BadRequest);
        Assert.Empty(await DeliveriesAsync(client, webhookId));
    }
}
