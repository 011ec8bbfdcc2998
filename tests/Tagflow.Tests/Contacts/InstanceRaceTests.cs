using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Contacts;

/// <summary>
/// Two instances on one database: the same new address sent to both at the same moment makes one
/// contact, with one creation event, and both answer it; the changes each instance batches under its
/// savepoints never undo or duplicate the other's.
/// </summary>
public sealed class InstanceRaceTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheSameAddressSentToTwoInstancesAtOnceMakesOneContact(string provider)
    {
        await using var first = await TagflowHost.StartAsync(provider);
        await using var second = await TagflowHost.StartOnAsync(first.Database);
        using var onFirst = await first.NewAccountClientAsync("anna");
        using var onSecond = second.SessionClient(await second.LoginAsync("anna"));
        const int addresses = 30;

        for (var i = 0; i < addresses; i++)
        {
            // Each address twice on each instance, all four at once, with different first names.
            var sent = new[] { onFirst, onSecond, onFirst, onSecond }.Select((client, n) =>
                client.PostAsJsonAsync("/subscriber", new { email = $"race{i}@example.com", fields = new { fieldFirstName = $"N{n}" } }));
            var answers = await Task.WhenAll(sent);
            var ids = new HashSet<string>();
            foreach (var answer in answers)
            {
                Assert.True(answer.IsSuccessStatusCode, $"race{i}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                ids.Add((await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
            }
            Assert.Single(ids);
        }

        var (contacts, created) = await first.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<TagflowDb>();
            var perAddress = await db.Contacts.GroupBy(c => c.NormalizedEmail).Select(g => g.Count()).ToListAsync();
            var events = await db.Events.Where(e => e.Type == EventTypes.ContactCreated).GroupBy(e => e.ContactId).Select(g => g.Count()).ToListAsync();
            return (perAddress, events);
        });
        Assert.Equal(addresses, contacts.Count);
        Assert.All(contacts, count => Assert.Equal(1, count));
        Assert.Equal(addresses, created.Count);
        Assert.All(created, count => Assert.Equal(1, count));
    }
}
