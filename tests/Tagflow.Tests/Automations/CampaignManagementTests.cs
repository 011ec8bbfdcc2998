using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// POST|GET|PUT|DELETE /campaign: what is refused and why, what a campaign looks like on the wire,
/// that one account never reaches another's, and that deleting a campaign or its tags keeps the
/// running contacts consistent.
/// </summary>
public sealed class CampaignManagementTests
{
    private static readonly object Email = new { type = "email", subject = "Hi", text = "Hello" };

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task IncompleteOrMalformedCampaignsAreRefusedWith400AndNothingIsSaved(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Lead");
        (object Body, string Names)[] refused =
        [
            (new { tagid = tag, steps = new[] { Email } }, "\"name\""),
            (new { name = "  ", tagid = tag, steps = new[] { Email } }, "\"name\""),
            (new { name = "Welcome", steps = new[] { Email } }, "\"tagid\""),
            (new { name = "Welcome", tagid = tag }, "\"steps\""),
            (new { name = "Welcome", tagid = tag, steps = Array.Empty<object>() }, "\"steps\""),
            (new { name = "Welcome", tagid = tag, steps = new object[] { Email, new { type = "sms", text = "Hi" } } }, "\"steps[1][type]\""),
            (new { name = "Welcome", tagid = tag, steps = new object[] { new { type = "wait", seconds = 60, weekday = "monday", time = "09:00" } } }, "not both"),
            (new { name = "Welcome", tagid = tag, steps = new object[] { new { type = "wait", seconds = 0 } } }, "\"steps[0][seconds]\""),
            (new { name = "Welcome", tagid = tag, steps = new object[] { new { type = "wait", weekday = "someday", time = "09:00" } } }, "\"steps[0][weekday]\""),
            (new { name = "Welcome", tagid = tag, steps = new object[] { new { type = "wait", weekday = "monday,friday", time = "09:00" } } }, "\"steps[0][weekday]\""),
            (new { name = "Welcome", tagid = tag, steps = new object[] { new { type = "wait", weekday = "1", time = "09:00" } } }, "\"steps[0][weekday]\""),
            (new { name = "Welcome", tagid = tag, steps = new object[] { new { type = "wait", weekday = "monday", time = "9 am" } } }, "\"steps[0][time]\""),
            (new { name = "Welcome", tagid = tag, steps = new object[] { new { type = "email", subject = "Hi {{ fieldFirstName | }}", text = "Hello" } } },
                "The key \"steps[0][subject]\" is not a valid template: line 1: "),
            (new { name = "Welcome", tagid = tag, steps = new object[] { Email, new { type = "email", subject = "Hi", text = "Dear\n\n{% if fieldFirstName %}\nyou" } } },
                "The key \"steps[1][text]\" is not a valid template: line 4 (the end of the template): '{% endif %}' was expected."),
            (new { name = "Welcome", tagid = tag, steps = new object[] { new { type = "email", text = "Hello" } } }, "\"steps[0][subject]\""),
            (new { name = "Welcome", tagid = tag, steps = new object[] { new { type = "tag" } } }, "\"steps[0][tagid]\""),
        ];
        foreach (var (body, names) in refused)
        {
            var sentence = await WireAssert.MessageAsync(await client.PostAsJsonAsync("/campaign", body), HttpStatusCode.BadRequest);
            Assert.Contains(names, sentence, StringComparison.Ordinal);
        }
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/campaign"))).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnknownTagsSmartTagsInStepsAndUnknownWebhooksAreRefusedWithTheirErrorNumbers(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Lead");
        var list = await SingleOptInListAsync(client);
        // Subscribing through a process assigns its SmartTag "Opt-in confirmed: Shop".
        var smartTag = long.Parse(Map(await GetAsync(client, await SubscribeAsync(client, "bert@example.com", list)), "smart_tags").Keys.Single(),
            System.Globalization.CultureInfo.InvariantCulture);
        (object Body, int Error)[] refused =
        [
            (new { name = "Welcome", tagid = 999_999, steps = new[] { Email } }, 403),
            (new { name = "Welcome", tagid = tag, steps = new object[] { Email, new { type = "tag", tagid = 999_999 } } }, 403),
            (new { name = "Welcome", tagid = tag, steps = new object[] { Email, new { type = "untag", tagid = 0 } } }, 403),
            (new { name = "Welcome", tagid = tag, steps = new object[] { Email, new { type = "tag", tagid = smartTag } } }, 31),
            (new { name = "Welcome", tagid = tag, steps = new object[] { Email, new { type = "untag", tagid = smartTag } } }, 31),
            (new { name = "Welcome", tagid = tag, steps = new object[] { Email, new { type = "webhook", webhookid = 999_999 } } }, 609),
            (new { name = "Welcome", tagid = tag, steps = new object[] { Email, new { type = "webhook", webhookid = 0 } } }, 609),
        ];
        foreach (var (body, error) in refused)
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/campaign", body), error);
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/campaign"))).EnumerateArray());

        // A SmartTag may start a campaign: only the steps' tags must be manual.
        var started = await CreateCampaignAsync(client, new { name = "Welcome", tagid = smartTag, steps = new[] { Email } });
        Assert.Equal(Id(smartTag), started.GetProperty("tagid").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ACampaignNameIsTakenRegardlessOfCaseWithError608(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Lead");
        var welcome = (await CreateCampaignAsync(client, new { name = "Welcome", tagid = tag, steps = new[] { Email } })).GetProperty("id").GetString();
        var other = (await CreateCampaignAsync(client, new { name = "Other", tagid = tag, steps = new[] { Email } })).GetProperty("id").GetString();

        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/campaign", new { name = "WELCOME", tagid = tag, steps = new[] { Email } }), 608);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/campaign", new { name = " welcome ", tagid = tag, steps = new[] { Email } }), 608);
        await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/campaign/{other}", new { name = "wElCoMe" }), 608);
        Assert.Equal("Other", (await WireAssert.OkAsync(await client.GetAsync($"/campaign/{other}"))).GetProperty("name").GetString());

        // A campaign may change the case of its own name.
        var renamed = await WireAssert.OkAsync(await client.PutAsJsonAsync($"/campaign/{welcome}", new { name = "WELCOME" }));
        Assert.Equal("WELCOME", renamed.GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ACampaignIsReadChangedWithTheKeysGivenAndDeleted(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var lead = await CreateTagAsync(client, "Lead");
        var done = await CreateTagAsync(client, "Done");
        var created = await CreateCampaignAsync(client, new
        {
            name = "Welcome",
            tagid = lead,
            sendername = "Anna's Shop",
            senderaddress = "shop@example.com",
            steps = new object[]
            {
                new { type = "EMAIL", subject = "Hi {{fieldFirstName}}", text = "Hello {{email}}", html = "<p>Hello</p>" },
                new { type = "wait", seconds = 86400 },
                new { type = "wait", weekday = "Monday", time = "09:00" },
                new { type = "tag", tagid = done },
            },
        });
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("Welcome", created.GetProperty("name").GetString());
        Assert.Equal(Id(lead), created.GetProperty("tagid").GetString());
        Assert.Equal("Anna's Shop", created.GetProperty("sendername").GetString());
        Assert.Equal("shop@example.com", created.GetProperty("senderaddress").GetString());
        Assert.Equal(
            [
                new() { ["type"] = "email", ["subject"] = "Hi {{fieldFirstName}}", ["text"] = "Hello {{email}}", ["html"] = "<p>Hello</p>" },
                new() { ["type"] = "wait", ["seconds"] = "86400" },
                new() { ["type"] = "wait", ["weekday"] = "monday", ["time"] = "09:00" },
                new() { ["type"] = "tag", ["tagid"] = Id(done) },
            ],
            Steps(created));
        Assert.Equal(("0", "0", "0"), (created.GetProperty("running").GetString(), created.GetProperty("finished").GetString(), created.GetProperty("stopped").GetString()));
        Assert.Equal(created.ToString(), (await WireAssert.OkAsync(await client.GetAsync($"/campaign/{id}"))).ToString());
        Assert.Equal(created.ToString(), Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/campaign"))).EnumerateArray()).ToString());

        // Keys left out stay as they are.
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        var renamed = await WireAssert.OkAsync(await client.PutAsJsonAsync($"/campaign/{id}", new { name = "Hello" }));
        Assert.Equal("Hello", renamed.GetProperty("name").GetString());
        Assert.Equal(Id(lead), renamed.GetProperty("tagid").GetString());
        Assert.Equal("Anna's Shop", renamed.GetProperty("sendername").GetString());
        Assert.Equal(Steps(created), Steps(renamed));
        Assert.Equal(created.GetProperty("created").GetString(), renamed.GetProperty("created").GetString());
        Assert.Equal(UnixNow(host), renamed.GetProperty("updated").GetString());

        var restepped = await WireAssert.OkAsync(await client.PutAsJsonAsync($"/campaign/{id}", new { tagid = done, steps = new[] { Email } }));
        Assert.Equal(Id(done), restepped.GetProperty("tagid").GetString());
        Assert.Equal([new() { ["type"] = "email", ["subject"] = "Hi", ["text"] = "Hello", ["html"] = "" }], Steps(restepped));
        Assert.Equal("Hello", restepped.GetProperty("name").GetString());

        await AssertTrueAsync(await client.DeleteAsync($"/campaign/{id}"));
        await WireAssert.MessageAsync(await client.GetAsync($"/campaign/{id}"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/campaign/{id}", new { name = "Again" }), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.DeleteAsync($"/campaign/{id}"), HttpStatusCode.NotFound);
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/campaign"))).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AStepWithABrokenTemplateIsRefusedNamingItsLineAndTheCampaignStaysAsItWas(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var lead = await CreateTagAsync(client, "Lead");
        var liquid = new { type = "email", subject = "Hi {{ fieldFirstName | default: \"there\" }}", text = "{% if tags contains \"VIP\" %}Dear VIP{% endif %} {{ nickname }}" };
        var created = await CreateCampaignAsync(client, new { name = "Welcome", tagid = lead, steps = new object[] { liquid } });
        var id = created.GetProperty("id").GetString()!;

        var broken = new { type = "email", subject = "Hi", html = "<p>Hello</p>\n<p>{% if fieldFirstName %}</p>\n<p>{{ fieldFirstName | upcase }}</p>" };
        var message = await WireAssert.MessageAsync(
            await client.PutAsJsonAsync($"/campaign/{id}", new { name = "Renamed", steps = new object[] { liquid, broken } }), HttpStatusCode.BadRequest);
        Assert.StartsWith("The key \"steps[1][html]\" is not a valid template: line 3 (the end of the template): ", message, StringComparison.Ordinal);
        Assert.Equal(created.ToString(), (await WireAssert.OkAsync(await client.GetAsync($"/campaign/{id}"))).ToString());

        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/campaign", new { name = "Other", tagid = lead, steps = new object[] { broken } }), HttpStatusCode.BadRequest);
        Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/campaign"))).EnumerateArray());
    }

    private static List<Dictionary<string, string>> Steps(JsonElement campaign) =>
        [.. campaign.GetProperty("steps").EnumerateArray().Select(s => s.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!))];

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountCannotReadChangeDeleteOrStartFromACampaignOrItsTag(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var tag = await CreateTagAsync(anna, "Lead");
        var id = (await CreateCampaignAsync(anna, new { name = "Welcome", tagid = tag, steps = new[] { Email } })).GetProperty("id").GetString();

        await WireAssert.MessageAsync(await bert.GetAsync($"/campaign/{id}"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await bert.PutAsJsonAsync($"/campaign/{id}", new { name = "Bert's" }), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await bert.DeleteAsync($"/campaign/{id}"), HttpStatusCode.NotFound);
        Assert.Empty((await WireAssert.OkAsync(await bert.GetAsync("/campaign"))).EnumerateArray());
        var bertsTag = await CreateTagAsync(bert, "Bert's lead");
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/campaign", new { name = "Mine", tagid = tag, steps = new[] { Email } }), 403);
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/campaign",
            new { name = "Mine", tagid = bertsTag, steps = new object[] { Email, new { type = "tag", tagid = tag } } }), 403);
        // The same name is free in another account.
        await CreateCampaignAsync(bert, new { name = "Welcome", tagid = bertsTag, steps = new[] { Email } });

        var annas = await WireAssert.OkAsync(await anna.GetAsync($"/campaign/{id}"));
        Assert.Equal("Welcome", annas.GetProperty("name").GetString());
        Assert.Single((await WireAssert.OkAsync(await anna.GetAsync("/campaign"))).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATagThatStartsOrIsUsedByACampaignIsNotDeletedWithError610(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var start = await CreateTagAsync(client, "Lead");
        var step = await CreateTagAsync(client, "Done");
        var id = (await CreateCampaignAsync(client, new { name = "Welcome", tagid = start, steps = new object[] { Email, new { type = "tag", tagid = step } } }))
            .GetProperty("id").GetString();

        var refused = await WireAssert.RefusedAsync(await client.DeleteAsync($"/tag/{start}"), 610);
        Assert.Equal("""{"error":610}""", refused.ToString());
        await WireAssert.RefusedAsync(await client.DeleteAsync($"/tag/{step}"), 610);
        await WireAssert.OkAsync(await client.GetAsync($"/tag/{start}"));

        await AssertTrueAsync(await client.DeleteAsync($"/campaign/{id}"));
        await AssertTrueAsync(await client.DeleteAsync($"/tag/{start}"));
        await AssertTrueAsync(await client.DeleteAsync($"/tag/{step}"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeletingACampaignSendsItsContactsNoFurtherEmail(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        var id = (await CreateCampaignAsync(client, EmailLinkTests.TwoEmails("Nurture", start))).GetProperty("id").GetString();
        await SubscribeAsync(client, "bert@example.com", list, start);
        Assert.Equal("One", (await smtp.ReceiveAsync()).Subject);

        await AssertTrueAsync(await client.DeleteAsync($"/campaign/{id}"));
        host.Clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(500);
        Assert.True(smtp.NothingReceived);
    }
}
