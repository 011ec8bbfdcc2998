using System.Globalization;
using System.Net;
using Tagflow.Tests.Cli;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Tags;

/// <summary><c>tagflow tags add|list|remove</c>, by the rules of <c>/tag</c>, on the database of a running server.</summary>
[Collection(AdminCli.Collection)]
public sealed class TagCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddingATagPrintsItsIdAndANameTakenInAnyCaseIsRefusedWithError601(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var added = await AdminCli.RunAsync(host.Database, "tags", "add", "anna", " Buyer ", "--text", "bought once");

        Assert.Equal((0, ""), (added.ExitCode, added.Error));
        var id = added.Output.TrimEnd('\n');
        Assert.Matches(@"\A[0-9]+\z", id);
        var tag = await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}"));
        Assert.Equal(("Buyer", "bought once"), (tag.GetProperty("name").GetString(), tag.GetProperty("text").GetString()));

        Assert.Equal(new CliResult(1, "", "tagflow: error 601: A tag named \"BUYER\" already exists in the account.\n"),
            await AdminCli.RunAsync(host.Database, "tags", "add", "anna", "BUYER"));
        Assert.Equal(new CliResult(1, "", "tagflow: The key \"name\" is required: the name of the new tag.\n"),
            await AdminCli.RunAsync(host.Database, "tags", "add", "anna", "  "));
        Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TagsAreListedWithTheirKindManualOrSmart(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var buyer = await CreateTagAsync(client, "Buyer");
        var list = await SingleOptInListAsync(client);
        var contact = await SubscribeAsync(client, "carla@example.com", list);
        var (smartName, smart) = Assert.Single(await SmartTagsAsync(client, contact));

        var listed = await AdminCli.RunAsync(host.Database, "tags", "list", "anna");

        Assert.Equal(new CliResult(0, $"{buyer}\tmanual\tBuyer\n{smart}\tsmart\t{smartName}\n", ""), listed);
        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(host.Database, "tags", "list", (await host.AddPartnerAsync("bert")).Username));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RemovingATagFollowsTheRulesOfDeleteTag(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var plain = await CreateTagAsync(client, "Plain");
        var starts = await CreateTagAsync(client, "Starts a campaign");
        var hooked = await CreateTagAsync(client, "Calls a webhook");
        await CreateCampaignAsync(client, new { name = "Welcome", tagid = starts, steps = new object[] { new { type = "wait", seconds = 60 } } });
        await CreateWebhookAsync(client, new { name = "CRM", tagid = hooked, url = "https://crm.example.com/hook" });
        var list = await SingleOptInListAsync(client);
        var contact = await SubscribeAsync(client, "carla@example.com", list, plain);
        var smart = Assert.Single(await SmartTagsAsync(client, contact)).Value;

        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(host.Database, "tags", "remove", "anna", Id(plain)));
        await WireAssert.MessageAsync(await client.GetAsync($"/tag/{plain}"), HttpStatusCode.NotFound);
        Assert.Empty(Map(await GetAsync(client, contact), "manual_tags"));

        foreach (var (id, error) in new[]
        {
            (smart, $"error 31: Tag {smart} is a SmartTag: only the system assigns it, and it stays as long as what assigns it."),
            (Id(starts), $"error 610: Tag {starts} starts or is used by a campaign or webhook: change or delete those first."),
            (Id(hooked), $"error 610: Tag {hooked} starts or is used by a campaign or webhook: change or delete those first."),
            ("424242", "There is no tag 424242 in the account."),
            (Id(plain), $"There is no tag {plain} in the account."),
        })
        {
            Assert.Equal(new CliResult(1, "", $"tagflow: {error}\n"), await AdminCli.RunAsync(host.Database, "tags", "remove", "anna", id));
        }
        // The API refuses the same, with the same numbers.
        await WireAssert.RefusedAsync(await client.DeleteAsync($"/tag/{starts}"), 610);
        await WireAssert.RefusedAsync(await client.DeleteAsync($"/tag/{smart}"), 31);
        Assert.Equal(2, (await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject().Count());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATagOfAnotherAccountCannotBeRemoved(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        await host.AddPartnerAsync("bert");
        var tag = await CreateTagAsync(anna, "Buyer");

        Assert.Equal(new CliResult(1, "", $"tagflow: There is no tag {tag} in the account.\n"),
            await AdminCli.RunAsync(host.Database, "tags", "remove", "bert", tag.ToString(CultureInfo.InvariantCulture)));
        await WireAssert.OkAsync(await anna.GetAsync($"/tag/{tag}"));
    }
}
