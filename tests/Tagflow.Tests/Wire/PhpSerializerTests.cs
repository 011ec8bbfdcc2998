using System.Text;
using System.Text.Json;
using Tagflow.Wire;

namespace Tagflow.Tests.Wire;

/// <summary>
/// PHP's serialize() format, checked against what PHP itself writes. Every expected string below was
/// made once by PHP 8.2's serialize() (php-cli, Debian) from the PHP value in the comment beside it.
/// </summary>
public sealed class PhpSerializerTests
{
    private static string Php(object? value) => Encoding.UTF8.GetString(PhpSerializer.Serialize(value));

    [Fact]
    public void ScalarsAreWrittenAsPhpWritesThem()
    {
        Assert.Equal("N;", Php(null));
        Assert.Equal("b:1;", Php(true));
        Assert.Equal("b:0;", Php(false));
        Assert.Equal("i:0;", Php(0));
        Assert.Equal("i:-42;", Php(-42L));
        Assert.Equal("i:9223372036854775807;", Php(long.MaxValue)); // PHP_INT_MAX
        Assert.Equal("s:0:\"\";", Php(""));
    }

    [Fact]
    public void StringsAreMeasuredInUtf8BytesAndNotEscaped()
    {
        Assert.Equal("s:10:\"Über 😀\";", Php("Über 😀"));
        Assert.Equal("s:7:\"a\"b;c\n}\";", Php("a\"b;c\n}"));
        // The length counts bytes: a reader that counted characters would stop inside the emoji.
        Assert.Equal(10, Encoding.UTF8.GetByteCount("Über 😀"));
    }

    [Theory]
    [InlineData(0.1, "d:0.1;")]
    [InlineData(100.0, "d:100;")]
    [InlineData(3.0, "d:3;")]
    [InlineData(-2.5, "d:-2.5;")]
    [InlineData(19.99, "d:19.99;")]
    [InlineData(12345.678, "d:12345.678;")]
    [InlineData(0.0001, "d:0.0001;")]
    [InlineData(0.001234, "d:0.001234;")]
    [InlineData(0.00001, "d:1.0E-5;")]
    [InlineData(2.5e-5, "d:2.5E-5;")]
    [InlineData(1.5e-7, "d:1.5E-7;")]
    [InlineData(-1e-10, "d:-1.0E-10;")]
    [InlineData(1e16, "d:10000000000000000;")]
    [InlineData(1e17, "d:1.0E+17;")]
    [InlineData(1e25, "d:1.0E+25;")]
    [InlineData(123456789012345678.0, "d:1.2345678901234568E+17;")]
    [InlineData(1.0 / 3, "d:0.3333333333333333;")]
    [InlineData(5e-324, "d:5.0E-324;")]
    [InlineData(1.7976931348623157e308, "d:1.7976931348623157E+308;")]
    [InlineData(-0.0, "d:-0;")]
    [InlineData(double.PositiveInfinity, "d:INF;")]
    [InlineData(double.NegativeInfinity, "d:-INF;")]
    [InlineData(double.NaN, "d:NAN;")]
    public void FloatsAreWrittenWithPhpsShortestDigits(double value, string expected) => Assert.Equal(expected, Php(value));

    [Fact]
    public void AWireObjectIsAStdClassWhoseMapsAndListsArePhpArrays()
    {
        // (object)["id"=>"7","email"=>"jürgen@example.com","fieldFirstName"=>"Jürgen 😀","tags"=>["21","22"],
        //   "manual_tags"=>["21"=>"1760530436"],"smart_tags"=>[],"usesingleoptin"=>true,"none"=>null,"account"=>(object)["uid"=>"1","21"=>"x"]]
        var contact = new WireObject
        {
            ["id"] = "7",
            ["email"] = "jürgen@example.com",
            ["fieldFirstName"] = "Jürgen 😀",
            ["tags"] = new[] { "21", "22" },
            ["manual_tags"] = new Dictionary<string, string> { ["21"] = "1760530436" },
            ["smart_tags"] = new Dictionary<string, string>(),
            ["usesingleoptin"] = true,
            ["none"] = null,
            ["account"] = new WireObject { ["uid"] = "1", ["21"] = "x" },
        };

        Assert.Equal(
            "O:8:\"stdClass\":9:{s:2:\"id\";s:1:\"7\";s:5:\"email\";s:19:\"jürgen@example.com\";s:14:\"fieldFirstName\";s:12:\"Jürgen 😀\";"
            + "s:4:\"tags\";a:2:{i:0;s:2:\"21\";i:1;s:2:\"22\";}s:11:\"manual_tags\";a:1:{i:21;s:10:\"1760530436\";}s:10:\"smart_tags\";a:0:{}"
            + "s:14:\"usesingleoptin\";b:1;s:4:\"none\";N;s:7:\"account\";O:8:\"stdClass\":2:{s:3:\"uid\";s:1:\"1\";s:2:\"21\";s:1:\"x\";}}",
            Php(contact));
    }

    [Fact]
    public void AMapKeyOfDecimalDigitsIsAnIntegerKeyAsInPhpArrays()
    {
        // ["21"=>"mytag","05"=>"x","-5"=>"neg","0"=>"zero","-0"=>"m","fieldFirstName"=>"First name","9223372036854775808"=>"big"]
        var map = new Dictionary<string, string>
        {
            ["21"] = "mytag", ["05"] = "x", ["-5"] = "neg", ["0"] = "zero", ["-0"] = "m", ["fieldFirstName"] = "First name", ["9223372036854775808"] = "big",
        };

        Assert.Equal(
            "a:7:{i:21;s:5:\"mytag\";s:2:\"05\";s:1:\"x\";i:-5;s:3:\"neg\";i:0;s:4:\"zero\";s:2:\"-0\";s:1:\"m\";"
            + "s:14:\"fieldFirstName\";s:10:\"First name\";s:19:\"9223372036854775808\";s:3:\"big\";}",
            Php(map));
    }

    [Fact]
    public void TheRefusalEnvelopeIsAnArrayWithTheKeysJsonWrites()
    {
        // ["error"=>8,"field"=>"Geburtstag","name"=>"fieldBirthday","field_value"=>"08.05.2024","reason"=>"Ein Datum … „08.05.2024“."]
        var error = new WireError(8, Field: "Geburtstag", Name: "fieldBirthday", FieldValue: "08.05.2024",
            Reason: "Ein Datum ist eine Unix-Zeit in Sekunden, kein „08.05.2024“.");

        Assert.Equal(
            "a:5:{s:5:\"error\";i:8;s:5:\"field\";s:10:\"Geburtstag\";s:4:\"name\";s:13:\"fieldBirthday\";s:11:\"field_value\";s:10:\"08.05.2024\";"
            + "s:6:\"reason\";s:64:\"Ein Datum ist eine Unix-Zeit in Sekunden, kein „08.05.2024“.\";}",
            Php(error));
        // ["There is no such entity."]
        Assert.Equal("a:1:{i:0;s:24:\"There is no such entity.\";}", Php(new[] { "There is no such entity." }));
    }

    [Fact]
    public void ListsOfObjectsNestAsPhpWritesThem()
    {
        // [(object)["id"=>"1","steps"=>[(object)["type"=>"wait","seconds"=>"60"]]], (object)["id"=>"2","steps"=>[]]]
        var campaigns = new List<WireObject>
        {
            new() { ["id"] = "1", ["steps"] = new List<WireObject> { new() { ["type"] = "wait", ["seconds"] = "60" } } },
            new() { ["id"] = "2", ["steps"] = new List<WireObject>() },
        };

        Assert.Equal(
            "a:2:{i:0;O:8:\"stdClass\":2:{s:2:\"id\";s:1:\"1\";s:5:\"steps\";a:1:{i:0;O:8:\"stdClass\":2:{s:4:\"type\";s:4:\"wait\";s:7:\"seconds\";s:2:\"60\";}}}"
            + "i:1;O:8:\"stdClass\":2:{s:2:\"id\";s:1:\"2\";s:5:\"steps\";a:0:{}}}",
            Php(campaigns));
    }

    [Fact]
    public void JsonIsWrittenAsPhpsJsonDecodeWouldHoldIt()
    {
        // ["a"=>1,"b"=>[1.5,"x",null,false],"7"=>["k"=>true]]
        using var json = JsonDocument.Parse("""{"a":1,"b":[1.5,"x",null,false],"7":{"k":true}}""");

        Assert.Equal("a:3:{s:1:\"a\";i:1;s:1:\"b\";a:4:{i:0;d:1.5;i:1;s:1:\"x\";i:2;N;i:3;b:0;}i:7;a:1:{s:1:\"k\";b:1;}}", Php(json.RootElement));
    }
}
