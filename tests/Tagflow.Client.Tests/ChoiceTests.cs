using System.Net;
using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>Drop-downs that load sorted label/value lists, and say why when they cannot, without throwing.</summary>
public sealed class ChoiceTests
{
    [Fact]
    public async Task TagsAreOfferedSortedByLabelWithTheirIdsAsValues()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var webinar = await kt.Tags.CreateAsync("webinar", cancellationToken: CancellationToken.None);
        var customer = await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);
        var lead = await kt.Tags.CreateAsync("Lead", cancellationToken: CancellationToken.None);

        var choices = await kt.Choices.TagsAsync(CancellationToken.None);

        Assert.True(choices.Succeeded);
        Assert.Null(choices.Error);
        Assert.Equal([new("Customer", $"{customer}"), new("Lead", $"{lead}"), new("webinar", $"{webinar}")], choices.Items);
    }

    [Fact]
    public async Task ThePredefinedOptInProcessIsOfferedUnderAReadableName()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var (id, _) = Assert.Single(await kt.OptInProcesses.ListAsync(CancellationToken.None));

        var choices = await kt.Choices.OptInProcessesAsync(CancellationToken.None);

        Assert.Equal([new Choice("Predefined double opt-in", $"{id}")], choices.Items);
    }

    [Fact]
    public async Task FieldsAreOfferedByLabelWithTheirKeysAsValues()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var key = await kt.Fields.CreateAsync("Shoe size", FieldType.Number, CancellationToken.None);

        var choices = await kt.Choices.FieldsAsync(CancellationToken.None);

        Assert.Equal(17, choices.Items.Count);
        Assert.Equal(new Choice("Birthday", StandardFieldKeys.Birthday), choices.Items[0]);
        Assert.Contains(new Choice("Shoe size", key), choices.Items);
        Assert.Equal(choices.Items.Select(c => c.Label).Order(StringComparer.OrdinalIgnoreCase), choices.Items.Select(c => c.Label));
    }

    [Fact]
    public async Task ALoadingFailureIsReturnedWithItsReasonNotThrown()
    {
        await using var server = await TagflowServer.StartAsync();
        var (username, developerKey, _) = await server.AddPartnerAsync("anna");
        using var kt = server.Client(KlickTippCredentials.Partner(username, developerKey, "revoked-or-wrong"));

        var choices = await kt.Choices.TagsAsync(CancellationToken.None);

        Assert.False(choices.Succeeded);
        Assert.Empty(choices.Items);
        Assert.Equal("Invalid X-Un or X-Ci: check the username, the developer key and the customer key.", choices.Error);
    }

    [Fact]
    public async Task AFailingServerIsReportedSoTheUiCanOfferManualInput()
    {
        var handler = new ScriptedHandler();
        for (var i = 0; i < 4; i++) handler.Then(HttpStatusCode.ServiceUnavailable, "[\"maintenance\"]");
        using var kt = handler.Client();

        var choices = await kt.Choices.OptInProcessesAsync(CancellationToken.None);

        Assert.False(choices.Succeeded);
        Assert.Equal("The server could not complete the request. Please try again later.", choices.Error);
    }

    [Fact]
    public async Task MissingCredentialsAreReportedAsAFailure()
    {
        using var kt = new ScriptedHandler().Client(adjust: o => o.Credentials = null);

        var choices = await kt.Choices.FieldsAsync(CancellationToken.None);

        Assert.False(choices.Succeeded);
        Assert.Equal("No API credentials are configured: enter the username and keys (or password) first.", choices.Error);
    }

    [Fact]
    public async Task CancellationWhileLoadingIsThrownNotReturnedAsAFailure()
    {
        using var cancel = new CancellationTokenSource();
        var handler = new ScriptedHandler().ThenAsync(async (_, cancellationToken) =>
        {
            await cancel.CancelAsync(); // the user closes the dialog while the list loads
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            throw new InvalidOperationException("The attempt should have been cancelled.");
        });
        using var kt = handler.Client();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kt.Choices.TagsAsync(cancel.Token));
        Assert.Single(handler.Requests);
    }
}
