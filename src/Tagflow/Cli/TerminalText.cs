using System.Globalization;
using System.Text;

namespace Tagflow.Cli;

/// <summary>
/// What the commands print, made safe for the operator's terminal. Names and other values come from
/// API clients, and a value with an escape sequence (<c>ESC [2J</c>) printed raw would recolour or
/// clear the terminal, or hide a line with a carriage return: every control character (C0, DEL, C1)
/// is printed as its <c>\u001b</c> form instead.
/// </summary>
internal static class TerminalText
{
    /// <summary>Escapes every control character but the line breaks (<c>\n</c>, <c>\r\n</c>) and tabs that lay a command's output out.</summary>
    public static string Safe(string text) => Escape(text, keepLayout: true);

    /// <summary>
    /// One line of tab-separated values. A tab or line break inside a value is escaped too, so that no
    /// value can fake a column or a line for a script that reads the output.
    /// </summary>
    public static string Line(params IEnumerable<string> values) => string.Join('\t', values.Select(v => Escape(v, keepLayout: false)));

    /// <summary>Lines, or null for none: a command with nothing to list prints nothing at all.</summary>
    public static string? Lines(IEnumerable<string> lines) => string.Join(Environment.NewLine, lines) is { Length: > 0 } text ? text : null;

    /// <summary>Writes one line, escaped with <see cref="Safe"/>.</summary>
    public static Task WriteSafeLineAsync(this TextWriter writer, string text) => writer.WriteLineAsync(Safe(text));

    private static string Escape(string text, bool keepLayout)
    {
        StringBuilder? escaped = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var layout = keepLayout && (c is '\n' or '\t' || c == '\r' && i + 1 < text.Length && text[i + 1] == '\n');
            if (!char.IsControl(c) || layout)
            {
                escaped?.Append(c);
                continue;
            }
            escaped ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return escaped?.ToString() ?? text;
    }
}
