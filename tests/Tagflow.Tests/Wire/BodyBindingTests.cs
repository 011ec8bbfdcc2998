using System.Text;
using Microsoft.AspNetCore.Http;
using Tagflow.Wire;

namespace Tagflow.Tests.Wire;

public sealed record Probe(string? Email, long? ListId, List<long>? TagIds, Dictionary<string, string>? Fields, bool UseSingleOptIn) : IWireFilter;

public sealed record Credentials(string? Username, string? Password);

/// <summary>Body&lt;T&gt; binds JSON, form and multipart bodies (and the query string) to the same values.</summary>
public sealed class BodyBindingTests
{
    [Fact]
    public async Task JsonBindsEveryKey()
    {
        var probe = await BindAsync("application/json",
            """{"email":"a@b.de","listid":12,"tagids":[1,2],"fields":{"fieldFirstName":"Ann"},"usesingleoptin":true}""");
        Assert.Equal("a@b.de", probe.Email);
        Assert.Equal(12, probe.ListId);
        Assert.Equal([1, 2], probe.TagIds);
        Assert.Equal("Ann", probe.Fields!["fieldFirstName"]);
        Assert.True(probe.UseSingleOptIn);
    }

    [Fact]
    public async Task FormBindsPhpStyleNestedFields()
    {
        var probe = await BindAsync("application/x-www-form-urlencoded", "email=a%40b.de&fields[fieldFirstName]=Ann&fields[field12]=x");
        Assert.Equal("a@b.de", probe.Email);
        Assert.Equal(new Dictionary<string, string> { ["fieldFirstName"] = "Ann", ["field12"] = "x" }, probe.Fields);
    }

    [Theory]
    [InlineData("tagids[0]=1&tagids[1]=2")]
    [InlineData("tagids[1]=2&tagids[0]=1")]
    [InlineData("tagids[]=1&tagids[]=2")]
    [InlineData("tagids%5B%5D=1&tagids%5B%5D=2")]
    [InlineData("tagids=1&tagids=2")]
    public async Task FormBindsListsInEveryPhpSpelling(string form)
    {
        var probe = await BindAsync("application/x-www-form-urlencoded", form);
        Assert.Equal([1, 2], probe.TagIds);
    }

    [Fact]
    public async Task AScalarWhereAListIsExpectedIsAListOfOne()
    {
        Assert.Equal([5], (await BindAsync("application/x-www-form-urlencoded", "tagids=5")).TagIds);
        Assert.Equal([5], (await BindAsync("application/json", """{"tagids":5}""")).TagIds);
    }

    [Fact]
    public async Task MultipartBindsTheSameKeysAsTheForm()
    {
        using var content = new MultipartFormDataContent
        {
            { new StringContent("a@b.de"), "email" },
            { new StringContent("12"), "listid" },
            { new StringContent("1"), "tagids[]" },
            { new StringContent("2"), "tagids[]" },
            { new StringContent("Ann"), "fields[fieldFirstName]" },
            { new StringContent("x"), "fields[field12]" },
            { new StringContent("1"), "usesingleoptin" },
        };
        using var stream = new MemoryStream();
        await content.CopyToAsync(stream);
        var probe = await BindAsync(content.Headers.ContentType!.ToString(), stream.ToArray());
        Assert.Equal("a@b.de", probe.Email);
        Assert.Equal(12, probe.ListId);
        Assert.True(probe.UseSingleOptIn);
        Assert.Equal([1, 2], probe.TagIds);
        Assert.Equal(new Dictionary<string, string> { ["fieldFirstName"] = "Ann", ["field12"] = "x" }, probe.Fields);
    }

    [Fact]
    public async Task JsonAcceptsNumbersAsStringsAndIndexMapsAsLists()
    {
        var probe = await BindAsync("application/json", """{"listid":"12","tagids":{"0":"3","1":"4"}}""");
        Assert.Equal(12, probe.ListId);
        Assert.Equal([3, 4], probe.TagIds);
    }

    [Theory]
    [InlineData("application/json", """{"usesingleoptin":"1"}""", true)]
    [InlineData("application/json", """{"usesingleoptin":"0"}""", false)]
    [InlineData("application/json", """{"usesingleoptin":true}""", true)]
    [InlineData("application/json", """{"usesingleoptin":1}""", true)]
    [InlineData("application/x-www-form-urlencoded", "usesingleoptin=1", true)]
    [InlineData("application/x-www-form-urlencoded", "usesingleoptin=0", false)]
    [InlineData("application/x-www-form-urlencoded", "usesingleoptin=true", true)]
    public async Task BooleansComeAsOneZeroOrTrue(string contentType, string body, bool expected) =>
        Assert.Equal(expected, (await BindAsync(contentType, body)).UseSingleOptIn);

    [Fact]
    public async Task QueryStringParametersFillKeysTheBodyLeavesOut()
    {
        var probe = await BindAsync("application/json", """{"email":"a@b.de"}""", "?listid=7&tagids[]=8");
        Assert.Equal("a@b.de", probe.Email);
        Assert.Equal(7, probe.ListId);
        Assert.Equal([8], probe.TagIds);
        Assert.Equal(9, (await BindAsync(null, "", "?listid=9")).ListId);
    }

    [Fact]
    public async Task OnlyFilterCallsReadTheQueryString()
    {
        var context = NewContext("application/x-www-form-urlencoded", "username=anna"u8.ToArray(), "?password=secret");
        var bound = await Body<Credentials>.BindAsync(context, null!);
        Assert.Equal("anna", bound!.Value.Username);
        Assert.Null(bound.Value.Password);
    }

    [Fact]
    public async Task KeysNestedTooDeeplyAreRefused()
    {
        var key = "fields" + string.Concat(Enumerable.Repeat("[a]", 70));
        var e = await Assert.ThrowsAsync<WireBadRequestException>(() => BindAsync("application/x-www-form-urlencoded", key + "=1"));
        Assert.Contains("fields", e.Message, StringComparison.Ordinal);
        Assert.Equal("Ann", (await BindAsync("application/x-www-form-urlencoded", "fields[fieldFirstName]=Ann")).Fields!["fieldFirstName"]);
    }

    [Theory]
    [InlineData("application/json", """{"listid":1}""")]
    [InlineData("application/x-www-form-urlencoded", "listid=1")]
    public async Task TheBodyWinsOverTheQueryString(string contentType, string body) =>
        Assert.Equal(1, (await BindAsync(contentType, body, "?listid=2")).ListId);

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "listid=")]
    [InlineData("application/json", """{"listid":""}""")]
    public async Task AnEmptyNumberMeansAbsent(string contentType, string body) =>
        Assert.Null((await BindAsync(contentType, body)).ListId);

    [Theory]
    [InlineData("application/json", """{"listid":"abc"}""", "listid")]
    [InlineData("application/json", """{"tagids":["x"]}""", "tagids")]
    [InlineData("application/json", """{"email":"a@b.de",""", "JSON")]
    [InlineData("application/json", """["a@b.de"]""", "object")]
    [InlineData("text/xml", "<probe><email>a@b.de</email></probe>", "text/xml")]
    [InlineData("application/x-www-form-urlencoded", "listid=abc", "listid")]
    [InlineData("application/json", """{"email":"a@b.de","email":"c@d.de"}""", "email")]
    [InlineData("application/json", """{"email":"\ud800"}""", "email")]
    [InlineData("multipart/form-data; boundary=xyz", "garbage", "form")]
    public async Task UnreadableBodiesAreRefusedWithAMessageNamingTheProblem(string contentType, string body, string named)
    {
        var e = await Assert.ThrowsAsync<WireBadRequestException>(() => BindAsync(contentType, body));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    private static Task<Probe> BindAsync(string? contentType, string body, string query = "") =>
        BindAsync(contentType, Encoding.UTF8.GetBytes(body), query);

    private static async Task<Probe> BindAsync(string? contentType, byte[] body, string query = "")
    {
        var bound = await Body<Probe>.BindAsync(NewContext(contentType, body, query), null!);
        Assert.NotNull(bound);
        return bound.Value;
    }

    private static DefaultHttpContext NewContext(string? contentType, byte[] body, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        return context;
    }
}
