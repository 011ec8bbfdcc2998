using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>Typed values become the text the wire requires for each field type.</summary>
public sealed class FieldValuesTests
{
    [Theory]
    [InlineData("19.99", "1999")]
    [InlineData("19.5", "1950")]
    [InlineData("100", "10000")]
    [InlineData("0.01", "1")]
    [InlineData("-3.20", "-320")]
    [InlineData("19.9900", "1999")]
    public void DecimalsAreWrittenAsHundredths(string value, string wire)
    {
        var fields = new FieldValues { { StandardFieldKeys.LeadValue, decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture) } };
        Assert.Equal(wire, fields[StandardFieldKeys.LeadValue]);
    }

    [Fact]
    public void ADecimalWithMoreThanTwoPlacesIsRefusedRatherThanRounded()
    {
        var e = Assert.Throws<ArgumentException>(() => new FieldValues { { StandardFieldKeys.LeadValue, 19.999m } });
        Assert.Contains("two decimal places", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatesAndTimesAreWrittenAsUnixSeconds()
    {
        var fields = new FieldValues
        {
            { StandardFieldKeys.Birthday, new DateOnly(2024, 5, 8) },
            { "field14", new DateTimeOffset(2024, 5, 13, 14, 30, 0, TimeSpan.FromHours(2)) },
            { "field13", new TimeOnly(14, 30) },
        };

        Assert.Equal("1715126400", fields[StandardFieldKeys.Birthday]); // 08.05.2024 00:00 GMT, WIRE.md's example
        Assert.Equal("1715603400", fields["field14"]); // 13.05.2024 12:30 GMT
        Assert.Equal("52200", fields["field13"]);
    }

    [Fact]
    public void NumbersUrlsAndTextAreWrittenAsTheyAre()
    {
        var fields = new FieldValues
        {
            { "field12", 42 },
            { StandardFieldKeys.Website, new Uri("https://example.com/shop") },
            { StandardFieldKeys.FirstName, "Ann" },
        };
        fields[StandardFieldKeys.LastName] = "Lee";

        Assert.Equal("42", fields["field12"]);
        Assert.Equal("https://example.com/shop", fields[StandardFieldKeys.Website]);
        Assert.Equal("Ann", fields[StandardFieldKeys.FirstName]);
        Assert.Equal(4, fields.Count);
    }

    [Theory]
    [InlineData("de-DE")] // decimal comma
    [InlineData("fa-IR")] // a minus sign that is not '-'
    [InlineData("ar-SA")]
    public void TheWireFormatDoesNotDependOnTheCurrentCulture(string name)
    {
        using var culture = new CurrentCulture(name);

        var fields = new FieldValues
        {
            { StandardFieldKeys.LeadValue, -1234.5m },
            { "field12", -42 },
            { StandardFieldKeys.Birthday, new DateOnly(2024, 5, 8) },
            { "field13", new TimeOnly(14, 30) },
        };

        Assert.Equal("-123450", fields[StandardFieldKeys.LeadValue]);
        Assert.Equal("-42", fields["field12"]);
        Assert.Equal("1715126400", fields[StandardFieldKeys.Birthday]);
        Assert.Equal("52200", fields["field13"]);
    }

    [Fact]
    public void AUrlThatIsNotHttpIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new FieldValues { { StandardFieldKeys.Website, new Uri("ftp://example.com") } });
    }

    [Fact]
    public void SettingAKeyAgainReplacesItsValue()
    {
        var fields = new FieldValues { { "field12", 1 } };
        fields.Add("field12", 2);
        Assert.Equal("2", Assert.Single(fields).Value);
    }
}
