using System.Collections.Concurrent;

namespace Tagflow.Delivery;

/// <summary>
/// What was made from a text (a parsed template, inlined HTML, a text part), kept by that text for
/// the next email that has the same, thread-safe. Bounded: past its limit it starts over, so that
/// texts seen once (a preview's keystrokes, personalised HTML) do not pile up.
/// </summary>
internal sealed class TextCache<T>(int limit)
{
    private readonly ConcurrentDictionary<string, T> _made = new(StringComparer.Ordinal);

    public T Get(string text, Func<string, T> make)
    {
        if (_made.TryGetValue(text, out var made)) return made;
        made = make(text);
        if (_made.Count >= limit) _made.Clear();
        return _made.GetOrAdd(text, made);
    }
}
