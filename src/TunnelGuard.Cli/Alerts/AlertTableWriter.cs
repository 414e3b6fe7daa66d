using System.Globalization;
using TunnelGuard.Alerts;
using TunnelGuard.Cli.Replay;
using TunnelGuard.Reporting;

namespace TunnelGuard.Cli.Alerts;

/// <summary>Prints stored alerts as a table for a person at a terminal.</summary>
internal static class AlertTableWriter
{
    private const string RowFormat = "{0,-20} {1,-23} {2,-8} {3,-12} {4,-26} {5,-41} {6,-41} {7,-15} {8}";

    public static void Write(TextWriter output, IReadOnlyList<AlertRecord> records)
    {
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, RowFormat, "TIME", "ID", "SEVERITY", "STATUS", "RULE", "CLIENT", "SERVER", "VERDICT", "TITLE"));
        foreach (var r in records)
        {
            output.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                RowFormat,
                PacketTime.ToDateTimeOffset(r.TimeMicros).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                r.Id,
                AlertSeverities.Name(r.Severity),
                AlertStatuses.Name(r.Status),
                TerminalText.Safe(r.RuleId, 26),
                r.Client,
                r.Server,
                r.Label,
                TerminalText.Safe(r.Title, 60)));
        }
    }
}
