using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Wire;

/// <summary>Control characters cannot reach a name or a terminal: escapes nowhere, line breaks and tabs only in multi-line texts.</summary>
public sealed class ControlCharacterTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnEscapeOrOtherControlCharacterInAnyTextIsRefusedWith400NamingTheKey(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        foreach (var (body, key) in new (object, string)[]
        {
            (new { name = "Kunde\u001b[2J" }, "name"),
            (new { name = "Kunde", text = "clear \u009b2J" }, "text"),
            (new { name = "Kunde\u007f" }, "name"),
        })
        {
            var message = await WireAssert.MessageAsync(await client.PostAsJsonAsync("/tag", body), HttpStatusCode.BadRequest);
            Assert.StartsWith($"The key \"{key}\" contains a control character", message, StringComparison.Ordinal);
        }
        var field = await WireAssert.MessageAsync(await client.PostAsJsonAsync("/subscriber",
            new { email = "ann@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Ann\u001b]0;pwned\u0007" } }), HttpStatusCode.BadRequest);

        Assert.Contains("fields[fieldFirstName]", field, StringComparison.Ordinal);
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
        Assert.Empty(await ListAllAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANameWithALineBreakOrATabIsRefusedEverywhere(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var list = await PredefinedListIdAsync(client);

        foreach (var (path, body) in new (string, object)[]
        {
            ("/tag", new { name = "Kunde\nStammkunde" }),
            ("/field", new { name = "Shoe\tsize" }),
            ("/list", new { name = "News\r\nletter" }),
            ("/campaign", new { name = "Wel\ncome", tagid = tag, steps = new object[] { new { type = "wait", seconds = 60 } } }),
            ("/campaign", new { name = "Welcome", sendername = "Anna\tShop", tagid = tag, steps = new object[] { new { type = "wait", seconds = 60 } } }),
            ("/webhook", new { name = "C\nRM", url = "https://crm.example.com/hook" }),
            ("/listbuilding", new { name = "Form\t1", listid = list }),
        })
        {
            var message = await WireAssert.MessageAsync(await client.PostAsJsonAsync(path, body), HttpStatusCode.BadRequest);
            Assert.Contains("control character", message, StringComparison.Ordinal);
        }
        await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/tag/{tag}", new { name = "Kun\nde" }), HttpStatusCode.BadRequest);

        Assert.Equal(["Kunde"], (await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject().Select(t => t.Value.GetString()));
        Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/list"))).EnumerateObject());
        Assert.Equal(0, (await WireAssert.OkAsync(await client.GetAsync("/campaign"))).GetArrayLength());
        Assert.Equal(0, (await WireAssert.OkAsync(await client.GetAsync("/webhook"))).GetArrayLength());
        Assert.Equal(0, (await WireAssert.OkAsync(await client.GetAsync("/listbuilding"))).GetArrayLength());
        Assert.Equal(16, (await WireAssert.OkAsync(await client.GetAsync("/field"))).EnumerateObject().Count());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task LineBreaksAndTabsStayAllowedInMultiLineTexts(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var notes = await CreateFieldAsync(client, "Notes", "paragraph");

        var id = Assert.Single((await WireAssert.OkAsync(await client.PostAsJsonAsync("/tag", new { name = "Kunde", text = "Bought once.\r\n\tThen again." }))).EnumerateArray()).GetInt64();
        var contact = await AddAsync(client, new { email = "ann@example.com", fields = new Dictionary<string, string> { [notes] = "First line\nSecond line" } });

        Assert.Equal("Bought once.\r\n\tThen again.", (await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}"))).GetProperty("text").GetString());
        Assert.Equal("First line\nSecond line", Text(contact, notes));
    }
}
