using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tagflow.Tests.Infrastructure;
using Tagflow.Tests.OptIns;

namespace Tagflow.Tests.Automations;

/// <summary>The calls the automation tests share: campaigns, webhooks, a single opt-in process and waiting for the engine.</summary>
internal static class AutomationCalls
{
    public static async Task<JsonElement> CreateCampaignAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/campaign", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> CreateWebhookAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/webhook", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A single opt-in process: its contacts are subscribed at once, so campaigns start for them.</summary>
    public static Task<long> SingleOptInListAsync(HttpClient client, string name = "Shop") =>
        ProcessManagementTests.CreateAsync(client, new { name, usesingleoptin = true });

    /// <summary>Adds a subscribed contact through <paramref name="listId"/>, tagged with <paramref name="tagId"/>; answers its id.</summary>
    public static async Task<string> SubscribeAsync(HttpClient client, string email, long listId, long? tagId = null, Dictionary<string, string>? fields = null)
    {
        var contact = await Contacts.ContactCalls.AddAsync(client, new { email, listid = listId, tagid = tagId, fields = fields ?? [] });
        Assert.Equal("Subscribed", Contacts.ContactCalls.Text(contact, "status"));
        return Contacts.ContactCalls.Text(contact, "id");
    }

    /// <summary>The contact's SmartTags, name → id (their names through GET /tag/{id}).</summary>
    public static async Task<Dictionary<string, string>> SmartTagsAsync(HttpClient client, string contactId)
    {
        var tags = new Dictionary<string, string>();
        foreach (var tag in Contacts.ContactCalls.Map(await Contacts.ContactCalls.GetAsync(client, contactId), "smart_tags").Keys)
            tags[(await client.GetFromJsonAsync<Dictionary<string, string>>($"/tag/{tag}"))!["name"]] = tag;
        return tags;
    }

    /// <summary>Waits (up to 10 s) until <paramref name="condition"/> holds: the engine works in the background.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not within 10 s: {what}");
            await Task.Delay(25);
        }
    }

    /// <summary>Settings for a test server whose engine looks often, and whose webhooks may call this machine.</summary>
    public static TagflowSettings Fast(TagflowSettings settings) =>
        settings with { AutomationPoll = TimeSpan.FromMilliseconds(50), WebhookAllowPrivate = true };
}
