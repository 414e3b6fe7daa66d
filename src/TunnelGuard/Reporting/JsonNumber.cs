using System.Text.Json;

namespace TunnelGuard.Reporting;

/// <summary>
/// Writes <c>Math.Round(value, decimals)</c> as <see cref="Utf8JsonWriter.WriteNumber(ReadOnlySpan{byte}, double)"/>
/// would, without its shortest-round-trip search: every report has some forty such numbers (its shape, times,
/// confidences), and that search was the costliest part of writing them.
/// </summary>
/// <remarks>
/// <c>Math.Round(x, d)</c> is <c>Round(x * 10^d) / 10^d</c>, the double nearest to an integer k over 10^d. When k has at
/// most 15 digits, that decimal has at most 15 significant digits, and no other decimal of at most 15 digits is
/// nearest to the same double (IEEE doubles keep 15 decimal digits), so the shortest text that reads back as the
/// double is k over 10^d itself, written without trailing zeros; the writer uses no exponent from 10^-4 up to 10^15.
/// Anything else (NaN, infinities, larger values, magnitudes under 10^-4, which it writes as "1E-05", and negative
/// zero, which it writes as "-0") takes the writer's own path.
/// </remarks>
internal static class JsonNumber
{
    private const long MaxExact = 999_999_999_999_999;

    private static readonly double[] Powers = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

    public static void WriteRounded(Utf8JsonWriter w, ReadOnlySpan<byte> name, double value, int decimals)
    {
        var power = Powers[decimals];
        var scaled = Math.Round(value * power);
        if (!(Math.Abs(scaled) <= MaxExact) || (scaled == 0 && double.IsNegative(scaled)) || Math.Abs(value) >= 1e16)
        {
            w.WriteNumber(name, Math.Round(value, decimals));
            return;
        }

        var k = (long)scaled;
        var unit = (long)power;
        var magnitude = Math.Abs(k);
        if (magnitude != 0 && magnitude * 10_000 < unit)
        {
            w.WriteNumber(name, Math.Round(value, decimals));
            return;
        }

        if (k % unit == 0)
        {
            w.WriteNumber(name, k / unit);
            return;
        }

        Span<byte> text = stackalloc byte[24];
        var fraction = magnitude % unit;
        var digits = decimals;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }

        // Right to left: the fraction's digits (zeros after the point included), the point, the whole part, the sign.
        var at = text.Length;
        for (var i = 0; i < digits; i++)
        {
            text[--at] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }

        text[--at] = (byte)'.';
        var whole = magnitude / unit;
        do
        {
            text[--at] = (byte)('0' + (whole % 10));
            whole /= 10;
        }
        while (whole != 0);

        if (k < 0)
        {
            text[--at] = (byte)'-';
        }

        w.WritePropertyName(name);
        w.WriteRawValue(text[at..], skipInputValidation: true);
    }
}
