using System.Text;
using Tagflow.Client.Http;

namespace Tagflow.Client.Tests;

/// <summary>Lists and maps are read entry by entry, however the bytes arrive.</summary>
public sealed class JsonStreamTests
{
    [Fact]
    public async Task AListOfIdsIsReadEvenOneByteAtATime()
    {
        var entries = await ReadAsync("""[ "123", 456 , "7" ]""", chunk: 1);
        Assert.Equal(["123", "456", "7"], entries.Select(e => e.Value));
        Assert.All(entries, e => Assert.Null(e.Key));
    }

    [Fact]
    public async Task AMapIsReadAsKeysWithValuesEvenWhenAKeyAndItsValueArriveApart()
    {
        var entries = await ReadAsync("""{"3":"1760530436","15":"1760530999"}""", chunk: 5);
        Assert.Equal([new("3", "1760530436"), new("15", "1760530999")], entries);
    }

    [Fact]
    public async Task AHugeListIsStreamedWithoutReadingItWhole()
    {
        const int count = 300_000;
        var json = "[" + string.Join(",", Enumerable.Range(1, count).Select(i => $"\"{i}\"")) + "]";

        var seen = 0;
        long last = 0;
        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        await foreach (var entry in JsonStream.ReadEntriesAsync(stream, CancellationToken.None))
        {
            seen++;
            last = long.Parse(entry.Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(count, seen);
        Assert.Equal(count, last);
    }

    [Fact]
    public async Task AValueLongerThanTheBufferIsReadWhole()
    {
        var longValue = new string('x', 100_000);
        var entries = await ReadAsync($$"""{"1":"{{longValue}}"}""", chunk: 4096);
        Assert.Equal(longValue, Assert.Single(entries).Value);
    }

    [Theory]
    [InlineData("""["1","2" """)]
    [InlineData("""{"1":""")]
    [InlineData("""[{"nested":1}]""")]
    [InlineData(""" "just a string" """)]
    [InlineData("""[1,]""")]
    public async Task ATruncatedOrMisshapenAnswerIsAnUnexpectedAnswer(string json)
    {
        var e = await Assert.ThrowsAsync<KlickTippException>(() => ReadAsync(json, chunk: 3));
        Assert.Equal(KlickTippErrorKind.UnexpectedAnswer, e.Kind);
    }

    [Fact]
    public async Task AnEmptyListHasNoEntries()
    {
        Assert.Empty(await ReadAsync("[]", chunk: 1));
        Assert.Empty(await ReadAsync("{}", chunk: 1));
    }

    private static async Task<List<KeyValuePair<string?, string>>> ReadAsync(string json, int chunk)
    {
        await using var stream = new TrickleStream(Encoding.UTF8.GetBytes(json), chunk);
        var entries = new List<KeyValuePair<string?, string>>();
        await foreach (var entry in JsonStream.ReadEntriesAsync(stream, CancellationToken.None))
            entries.Add(entry);
        return entries;
    }

    /// <summary>Hands out at most <paramref name="chunk"/> bytes per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
