using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace Tagflow.Bench.Crash;

/// <summary>
/// Every email the SMTP sink took, by recipient, with its Message-ID: a repeat after a crash is
/// allowed only under the Message-ID of the first (README, "Automations"), so the two must be told apart.
/// </summary>
internal sealed class MailLog
{
    private const int HeaderLimit = 64 * 1024;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _byRecipient = new(StringComparer.OrdinalIgnoreCase);
    private int _count;

    /// <summary>Emails taken, repeats included.</summary>
    public int Count => Volatile.Read(ref _count);

    public IEnumerable<string> Recipients => _byRecipient.Keys;

    /// <summary>The Message-IDs of the emails to <paramref name="address"/>, in the order they came ("" for an email without one).</summary>
    public IReadOnlyCollection<string> MessageIds(string address) => _byRecipient.TryGetValue(address, out var ids) ? ids : [];

    /// <summary>For <see cref="SmtpSink.Start"/>.</summary>
    public void Observe(string recipient, ReadOnlySequence<byte> message)
    {
        _byRecipient.GetOrAdd(recipient, _ => new()).Enqueue(MessageId(message));
        Interlocked.Increment(ref _count);
    }

    private static string MessageId(ReadOnlySequence<byte> message)
    {
        var text = Encoding.Latin1.GetString(message.Slice(0, Math.Min(message.Length, HeaderLimit)));
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        // Folded header lines go on with a space or a tab after the line break (RFC 5322, 2.2.3).
        var header = (end < 0 ? text : text[..end]).Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal);
        foreach (var line in header.Split("\r\n"))
        {
            if (line.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase)) return line["Message-ID:".Length..].Trim();
        }
        return "";
    }
}
