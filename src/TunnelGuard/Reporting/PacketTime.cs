using System.Globalization;

namespace TunnelGuard.Reporting;

/// <summary>Formats packet time (microseconds since the Unix epoch) as RFC 3339 UTC with microseconds.</summary>
public static class PacketTime
{
    public static DateTimeOffset ToDateTimeOffset(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    public static string ToRfc3339(long micros) =>
        ToDateTimeOffset(micros).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Bytes <see cref="FormatRfc3339"/> needs.</summary>
    public const int Rfc3339Buffer = 28;

    /// <summary>
    /// <see cref="ToRfc3339"/>'s text as UTF-8 in <paramref name="utf8"/> (at least <see cref="Rfc3339Buffer"/> bytes),
    /// without a string: the JSON writers put three or more timestamps in every report, and the custom format string
    /// was a sixth of their time.
    /// </summary>
    public static ReadOnlySpan<byte> FormatRfc3339(long micros, Span<byte> utf8)
    {
        // The round-trip format has a fast path and writes seven fraction digits and a Z for UTC; the seventh is always
        // 0, because packet time is in whole microseconds.
        ToDateTimeOffset(micros).UtcDateTime.TryFormat(utf8, out _, "O", CultureInfo.InvariantCulture);
        utf8[26] = (byte)'Z';
        return utf8[..27];
    }
}
