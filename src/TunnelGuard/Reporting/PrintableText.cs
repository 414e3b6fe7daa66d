using System.Text;

namespace TunnelGuard.Reporting;

/// <summary>Writes control characters (ANSI escapes, newlines, NULs) of untrusted text as <c>\xNN</c>, so the text stays one printable line.</summary>
public static class PrintableText
{
    public static string Escape(string text)
    {
        var first = FirstControl(text);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8).Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
        {
            if (char.IsControl(c))
            {
                builder.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    // C0 (U+0000-U+001F), DEL and C1 (U+007F-U+009F): the characters char.IsControl names.
    private static int FirstControl(string text)
    {
        var c0 = text.AsSpan().IndexOfAnyInRange('\0', '\x1f');
        var c1 = text.AsSpan().IndexOfAnyInRange('\x7f', '\x9f');
        return c0 < 0 ? c1 : c1 < 0 ? c0 : Math.Min(c0, c1);
    }
}
