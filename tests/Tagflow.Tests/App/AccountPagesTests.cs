using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tagflow.Accounts;
using Tagflow.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tagflow.Tests.App;

/// <summary>The tags, data fields, blocklist, API access and settings pages, in a real browser.</summary>
[Collection(AppCollection.Name)]
public sealed class AccountPagesTests(AppBrowser browser)
{
    [Fact]
    public async Task TagsAreCreatedCountedRenamedAndDeletedSayingWhatTheyUntag()
    {
        await using var app = await AppSession.StartAsync(browser);
        var id = await app.AddContactDirectAsync("ada@example.com");
        await app.SignInAsync();
        await app.Page.GotoAsync("/app/tags");
        await app.Page.GetByLabel("New tag").FillAsync("Webinar");
        await app.Page.GetByLabel("Description").FillAsync("Came to the <b>webinar</b>");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Create tag" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("The tag “Webinar” was created.");
        await app.Page.GetByLabel("New tag").FillAsync("webinar");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Create tag" }).ClickAsync();
        await Expect(app.Page.Locator("#error")).ToContainTextAsync("already exists");

        await app.Page.GotoAsync($"/app/contacts/{id}");
        await app.Page.Locator("select[name=AddTagId]").SelectOptionAsync(new SelectOptionValue { Label = "Webinar" });
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await Expect(app.Page.Locator("#tags")).ToContainTextAsync("Webinar");

        await app.Page.GotoAsync("/app/tags");
        var row = app.Page.Locator("#tags tr", new() { HasText = "Webinar" });
        await Expect(row).ToContainTextAsync("1");
        await Expect(row).ToContainTextAsync("Came to the <b>webinar</b>");
        await app.ScreenshotAsync("tags");
        await row.GetByRole(AriaRole.Link, new() { Name = "Webinar" }).ClickAsync();
        await app.Page.GetByLabel("Name").FillAsync("Webinar 2026");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "Webinar 2026" })).ToBeVisibleAsync();
        await Expect(app.Page.Locator("#delete-tag")).ToContainTextAsync("removes it from 1 contact");
        await app.ScreenshotAsync("tag");
        var tagPage = app.Page.Url;
        await app.Page.Locator("#tag-contacts").ClickAsync();
        await Expect(app.Page.Locator("#contacts tbody tr")).ToHaveCountAsync(1);
        await app.Page.GotoAsync(tagPage);

        await app.Page.GetByLabel("Delete the tag").CheckAsync();
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Delete tag" }).ClickAsync();
        await app.Page.WaitForURLAsync("**/app/tags?done=deleted");
        await Expect(app.Page.Locator("#tags")).Not.ToContainTextAsync("Webinar");
        await app.Page.GotoAsync($"/app/contacts/{id}");
        await Expect(app.Page.Locator("#history")).ToContainTextAsync("Untagged a tag since deleted");
    }

    [Fact]
    public async Task DataFieldsAreCreatedWithATypeAndDeletedSayingWhatUsesThem()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.SignInAsync();
        await app.Page.GotoAsync("/app/fields");
        await app.Page.GetByLabel("New data field").FillAsync("Shoe size");
        await app.Page.Locator("select[name=Type]").SelectOptionAsync(new SelectOptionValue { Label = "Whole number" });
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Create field" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("The data field “Shoe size” was created.");
        await Expect(app.Page.Locator("#fields tr", new() { HasText = "Shoe size" })).ToContainTextAsync("Whole number");

        var id = await app.AddContactAsync("sam@example.com", "Sam");
        await app.Page.GetByLabel("Shoe size").FillAsync("43");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("Saved.");

        await app.Page.GotoAsync("/app/fields");
        await app.ScreenshotAsync("fields");
        await app.Page.GetByRole(AriaRole.Link, new() { Name = "Shoe size" }).ClickAsync();
        await Expect(app.Page.Locator("#field-users")).ToContainTextAsync("1 contact has a value in it");
        await app.Page.GetByLabel("Delete the data field").CheckAsync();
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Delete field" }).ClickAsync();
        await app.Page.WaitForURLAsync("**/app/fields?done=deleted");
        await Expect(app.Page.Locator("#fields")).Not.ToContainTextAsync("Shoe size");
        await app.Page.GotoAsync($"/app/contacts/{id}");
        await Expect(app.Page.GetByLabel("Shoe size")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task ABlockedAddressCannotBeAddedUntilItIsUnblocked()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.SignInAsync();
        await app.Page.GotoAsync("/app/blocklist");
        await app.Page.GetByLabel("Address or domain").FillAsync("not an address!");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Block" }).ClickAsync();
        await Expect(app.Page.Locator("#error")).ToContainTextAsync("Enter an email address");
        await app.Page.GetByLabel("Address or domain").FillAsync("spam.example");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Block" }).ClickAsync();
        await Expect(app.Page.Locator("#blocklist")).ToContainTextAsync("spam.example");
        await app.ScreenshotAsync("blocklist");

        await app.Page.GotoAsync("/app/contacts");
        await app.Page.Locator("#add-contact summary").ClickAsync();
        await app.Page.GetByLabel("Email address").FillAsync("eve@spam.example");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Add contact" }).ClickAsync();
        await Expect(app.Page.Locator("#add-error")).ToHaveTextAsync("This address is on the blocklist.");

        await app.Page.GotoAsync("/app/blocklist");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Unblock spam.example" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("spam.example is no longer blocked.");
        await app.AddContactAsync("eve@spam.example");
    }

    [Fact]
    public async Task ACustomerKeyIsShownOnceThenOnlyItsLastFourCharactersAndARevokedOneStopsWorking()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.WithServicesAsync(async sp =>
        {
            var admin = sp.GetRequiredService<AccountAdmin>();
            await admin.SetPlanAsync("anna", Plan.Premium, CancellationToken.None);
            return await admin.AddDeveloperAsync("Zapier", CancellationToken.None);
        });
        await app.SignInAsync();
        await app.Page.GotoAsync("/app/api-access");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Make a customer key" }).ClickAsync();
        var key = (await app.Page.Locator("#customer-key").TextContentAsync())!.Trim();
        Assert.Matches("^[0-9a-f]{32}$", key);
        await Expect(app.Page.Locator("#grants")).ToContainTextAsync("…" + key[^4..]);
        await app.ScreenshotAsync("api-access");

        await app.Page.GotoAsync("/app/api-access");
        Assert.DoesNotContain(key, await app.Page.ContentAsync(), StringComparison.Ordinal);
        await Expect(app.Page.Locator("#grants")).ToContainTextAsync("…" + key[^4..]);

        app.Page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToContainTextAsync("The access of Zapier is revoked");
        await Expect(app.Page.Locator("#grants")).ToContainTextAsync("No integration has access.");
        Assert.Equal(0, await app.WithServicesAsync(sp => Task.FromResult(sp.GetRequiredService<Tagflow.Data.TagflowDb>().ApiGrants.Count())));
    }

    [Fact]
    public async Task SettingsChangeTheTimeZoneTheSenderAndThePassword()
    {
        await using var app = await AppSession.StartAsync(browser);
        var id = await app.AddContactDirectAsync("tim@example.com");
        await app.SignInAsync();
        await app.Page.GotoAsync("/app/settings");
        await app.Page.GetByLabel("Time zone").SelectOptionAsync("America/New_York");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save time zone" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("The time zone is now America/New_York.");
        await app.Page.GotoAsync($"/app/contacts/{id}");
        await Expect(app.Page.Locator("#signup-at")).ToHaveTextAsync("2026-11-27 07:00:00"); // 12:00 UTC in New York

        await app.Page.GotoAsync("/app/settings");
        await app.Page.GetByLabel("Sender name").FillAsync("Anna's Shop");
        await app.Page.GetByLabel("Sender address").FillAsync("news@shop.example");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Save sender" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("The sender is saved.");
        await Expect(app.Page.GetByLabel("Sender name")).ToHaveValueAsync("Anna's Shop");
        await app.ScreenshotAsync("settings");

        await app.Page.GetByLabel("Current password").FillAsync("wrong password");
        await app.Page.GetByLabel("New password", new() { Exact = true }).FillAsync("a new secret phrase");
        await app.Page.GetByLabel("New password again").FillAsync("a new secret phrase");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(app.Page.Locator("#password-error")).ToHaveTextAsync("The current password is wrong.");

        await app.Page.GetByLabel("Current password").FillAsync(TagflowHost.Password);
        await app.Page.GetByLabel("New password", new() { Exact = true }).FillAsync("a new secret phrase");
        await app.Page.GetByLabel("New password again").FillAsync("a new secret phrase");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await app.Page.WaitForURLAsync("**/app/signin?changed=1");
        await app.SignInAsync(password: TagflowHost.Password);
        await Expect(app.Page.Locator("#signin-error")).ToHaveTextAsync("Wrong username or password.");
        await app.SignInAsync(password: "a new secret phrase");
        await app.LandsOnDashboardAsync();
    }
}
