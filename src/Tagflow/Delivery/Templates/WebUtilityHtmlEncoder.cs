using System.Globalization;
using System.Text.Encodings.Web;

namespace Tagflow.Delivery;

/// <summary>
/// Encodes values in HTML as <see cref="System.Net.WebUtility.HtmlEncode(string)"/> does: <c>&lt; &gt; &amp; &quot; &#39;</c>,
/// the Latin-1 characters from U+00A0 and everything past the BMP as numeric references. HTML
/// emails were filled this way before their templates were Liquid, and still are to the byte;
/// <see cref="HtmlEncoder.Default"/> would also encode <c>+</c> and every other non-ASCII letter.
/// </summary>
/// <remarks>TextEncoder's members to override take pointers: the one place in Tagflow with unsafe code.</remarks>
internal sealed class WebUtilityHtmlEncoder : TextEncoder
{
    public static readonly WebUtilityHtmlEncoder Instance = new();

    private WebUtilityHtmlEncoder()
    {
    }

    public override int MaxOutputCharactersPerInputCharacter => 10; // &#1114111;

    public override bool WillEncode(int unicodeScalar) => unicodeScalar is '<' or '>' or '&' or '"' or '\'' or (>= 160 and < 256) or > 0xFFFF;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (var i = 0; i < textLength; i++)
            if (char.IsSurrogate(text[i]) || WillEncode(text[i])) return i;
        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var encoded = unicodeScalar switch
        {
            '<' => "&lt;",
            '>' => "&gt;",
            '&' => "&amp;",
            '"' => "&quot;",
            '\'' => "&#39;",
            _ when WillEncode(unicodeScalar) => "&#" + unicodeScalar.ToString(CultureInfo.InvariantCulture) + ";",
            _ => char.ConvertFromUtf32(unicodeScalar),
        };
        numberOfCharactersWritten = 0;
        if (encoded.Length > bufferLength) return false;
        encoded.CopyTo(new Span<char>(buffer, bufferLength));
        numberOfCharactersWritten = encoded.Length;
        return true;
    }
}
