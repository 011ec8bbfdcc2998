using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>kt.Fields against a real Tagflow server.</summary>
public sealed class FieldTests
{
    [Fact]
    public async Task TheSixteenStandardFieldsAreListedAndReadWithTheirTypes()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var fields = await kt.Fields.ListAsync(CancellationToken.None);

        Assert.Equal(16, fields.Count);
        Assert.Equal("First name", fields[StandardFieldKeys.FirstName]);
        Assert.Equal(new Field(StandardFieldKeys.FirstName, "First name", FieldType.Line), await kt.Fields.GetAsync("fieldFirstName", CancellationToken.None));
        Assert.Equal(new Field(StandardFieldKeys.Birthday, "Birthday", FieldType.Date), await kt.Fields.GetAsync("Birthday", CancellationToken.None));
        Assert.Equal(FieldType.Decimal, (await kt.Fields.GetAsync(StandardFieldKeys.LeadValue, CancellationToken.None)).Type);
    }

    [Fact]
    public async Task ACustomFieldIsCreatedReadRenamedAndDeleted()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var key = await kt.Fields.CreateAsync("Shoe size", FieldType.Number, CancellationToken.None);
        Assert.Matches("^field[0-9]+$", key);
        Assert.Equal(new Field(key, "Shoe size", FieldType.Number), await kt.Fields.GetAsync(key, CancellationToken.None));
        Assert.Equal("Shoe size", (await kt.Fields.ListAsync(CancellationToken.None))[key]);

        await kt.Fields.RenameAsync(key, "Shoe size (EU)", CancellationToken.None);
        Assert.Equal("Shoe size (EU)", (await kt.Fields.GetAsync(key["field".Length..], CancellationToken.None)).Name);

        await kt.Fields.DeleteAsync(key, CancellationToken.None);
        Assert.False((await kt.Fields.ListAsync(CancellationToken.None)).ContainsKey(key));
        Assert.Equal(KlickTippErrorKind.NotFound, (await Assert.ThrowsAsync<KlickTippException>(() => kt.Fields.GetAsync(key, CancellationToken.None))).Kind);
    }

    [Theory]
    [InlineData(FieldType.Line)]
    [InlineData(FieldType.Paragraph)]
    [InlineData(FieldType.Email)]
    [InlineData(FieldType.Number)]
    [InlineData(FieldType.Decimal)]
    [InlineData(FieldType.Url)]
    [InlineData(FieldType.Time)]
    [InlineData(FieldType.Date)]
    [InlineData(FieldType.DateTime)]
    [InlineData(FieldType.Html)]
    public async Task EveryFieldTypeCanBeCreatedAndIsReadBack(FieldType type)
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var key = await kt.Fields.CreateAsync("A " + type, type, CancellationToken.None);

        Assert.Equal(type, (await kt.Fields.GetAsync(key, CancellationToken.None)).Type);
    }

    [Fact]
    public async Task AStandardFieldCannotBeRenamedOrDeleted()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var rename = await Assert.ThrowsAsync<KlickTippException>(() => kt.Fields.RenameAsync(StandardFieldKeys.FirstName, "Given name", CancellationToken.None));
        var delete = await Assert.ThrowsAsync<KlickTippException>(() => kt.Fields.DeleteAsync(StandardFieldKeys.FirstName, CancellationToken.None));

        Assert.Equal(602, rename.ErrorCode);
        Assert.Equal(602, delete.ErrorCode);
        Assert.Equal("Standard data fields cannot be changed.", rename.UserMessage);
    }

    [Fact]
    public async Task ATakenFieldNameIsRefusedWith603()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        await kt.Fields.CreateAsync("Shoe size", FieldType.Number, CancellationToken.None);

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Fields.CreateAsync("Shoe size", FieldType.Line, CancellationToken.None));

        Assert.Equal(603, e.ErrorCode);
        Assert.Equal("A data field with this name already exists.", e.UserMessage);
    }

    [Fact]
    public async Task AFieldCreatedWithoutATypeIsALineOfText()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var key = await kt.Fields.CreateAsync("Notiz", cancellationToken: CancellationToken.None);

        Assert.Equal(FieldType.Line, (await kt.Fields.GetAsync(key, CancellationToken.None)).Type);
    }
}
