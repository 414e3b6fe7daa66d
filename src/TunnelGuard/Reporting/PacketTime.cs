using System.Globalization;

namespace TunnelGuard.Reporting;

/// <summary>Formats packet time (microseconds since the Unix epoch) as RFC 3339 UTC with microseconds.</summary>
public static class PacketTime
{
    public static DateTimeOffset ToDateTimeOffset(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    public static string ToRfc3339(long micros) =>
        ToDateTimeOffset(micros).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
