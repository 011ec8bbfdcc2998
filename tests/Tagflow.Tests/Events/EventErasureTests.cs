using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Fields;
using Tagflow.Tests.Infrastructure;
using Tagflow.Tests.Tags;

namespace Tagflow.Tests.Events;

/// <summary>Deleting a contact is a GDPR erasure: the events about it remain, without any personal data.</summary>
public sealed class EventErasureTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ADeletedContactsEventsKeepNoPersonalData(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var colour = await FieldManagementTests.CreateAsync(client, "Favourite colour", "line");
        var tag = await TagApiTests.CreateAsync(client, new { name = "Kunde" });
        var id = Subscriber.Id(await Subscriber.AddAsync(client, new
        {
            email = "erika.mustermann@example.com",
            smsnumber = "+491701234567",
            fields = new Dictionary<string, string>
            {
                ["fieldFirstName"] = "Erika", ["fieldLastName"] = "Mustermann", ["fieldCity"] = "Wuppertal",
                ["fieldMobilePhone"] = "+491609876543", ["fieldBirthday"] = "-315619200", [colour] = "Smaragdgrün",
            },
        }));
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/tag", new { email = "erika.mustermann@example.com", tagids = new[] { tag } }));
        await WireAssert.OkAsync(await client.PutAsJsonAsync($"/subscriber/{id}",
            new { newemail = "erika.m@example.org", newsmsnumber = "+491701234568", fields = new { fieldCity = "Hagen", fieldLastName = "Musterfrau" } }));
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/unsubscribe", new { email = "erika.m@example.org" }));

        await WireAssert.OkAsync(await client.DeleteAsync($"/subscriber/{id}"));

        var feed = await client.GetStringAsync("/events?limit=1000");
        foreach (var personal in new[]
                 {
                     "erika", "mustermann", "musterfrau", "example.com", "example.org", "1701234567", "1701234568", "1609876543",
                     "wuppertal", "hagen", "smaragd", "-315619200",
                 })
            Assert.DoesNotContain(personal, feed, StringComparison.OrdinalIgnoreCase);
        var events = (await EventFeed.ReadAsync(client)).Events;
        Assert.Equal(
            ["contact.created", "tag.added", "contact.updated", "contact.unsubscribed", "contact.deleted"],
            events.Select(EventFeed.Type));
        Assert.All(events, e => Assert.Equal(id, EventFeed.ContactId(e)));
        Assert.Equal(tag.ToString(CultureInfo.InvariantCulture), events[1].GetProperty("tagid").GetString());
        await WireAssert.MessageAsync(await client.GetAsync($"/subscriber/{id}"), HttpStatusCode.NotFound);
    }
}
