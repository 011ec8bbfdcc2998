using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Tagflow.Client.Http;

/// <summary>
/// Reads a top-level JSON list of plain values (<c>["1","2"]</c>) or map of plain values
/// (<c>{"3":"1760530436"}</c>) from a stream entry by entry, so that a list of millions of ids is never
/// held in memory at once. List entries have a <see langword="null"/> key.
/// </summary>
internal static class JsonStream
{
    private const int InitialBufferSize = 16 * 1024;

    public static async IAsyncEnumerable<KeyValuePair<string?, string>> ReadEntriesAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        var parser = new Parser();
        var entries = new List<KeyValuePair<string?, string>>();
        var filled = 0;
        var ended = false;
        try
        {
            while (!parser.Done)
            {
                if (filled == buffer.Length)
                {
                    // One token longer than the buffer: grow it.
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                ended = read == 0;
                filled += read;

                var consumed = parser.Read(buffer.AsSpan(0, filled), ended, entries);
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                foreach (var entry in entries)
                    yield return entry;
                entries.Clear();
                if (ended && !parser.Done)
                    throw KlickTippException.UnexpectedAnswer("The answer ended before its list or map was complete.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The reader's state between buffers (a <see cref="Utf8JsonReader"/> cannot live across an await).</summary>
    private sealed class Parser
    {
        private JsonReaderState _state;
        private string? _key;

        public bool Done { get; private set; }

        public int Read(ReadOnlySpan<byte> data, bool isFinalBlock, List<KeyValuePair<string?, string>> entries)
        {
            var reader = new Utf8JsonReader(data, isFinalBlock, _state);
            try
            {
                while (!Done && reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartArray or JsonTokenType.StartObject when reader.CurrentDepth == 0:
                            break;
                        case JsonTokenType.EndArray or JsonTokenType.EndObject when reader.CurrentDepth == 0:
                            Done = true;
                            break;
                        case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                            _key = reader.GetString();
                            break;
                        case JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null
                            when reader.CurrentDepth == 1:
                            entries.Add(new(_key, Text(ref reader)));
                            _key = null;
                            break;
                        default:
                            throw KlickTippException.UnexpectedAnswer($"Expected a list or a map of plain values, found {reader.TokenType} at depth {reader.CurrentDepth}.");
                    }
                }
            }
            catch (JsonException e)
            {
                throw KlickTippException.UnexpectedAnswer("The answer is not valid JSON: " + e.Message, e);
            }
            _state = reader.CurrentState;
            return (int)reader.BytesConsumed;
        }

        private static string Text(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            JsonTokenType.True => "1",
            JsonTokenType.False => "0",
            _ => "",
        };
    }
}
