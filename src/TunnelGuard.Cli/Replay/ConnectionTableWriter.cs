using System.Globalization;
using TunnelGuard.Reporting;

namespace TunnelGuard.Cli.Replay;

/// <summary>Prints one row per connection for a person at a terminal.</summary>
internal sealed class ConnectionTableWriter : IConnectionSink
{
    private const string RowFormat = "{0,-15} {1,-22} {2,-22} {3,-30} {4,-30} {5,-32} {6,-28} {7,-12} {8,8} {9,10}";
    private readonly TextWriter _output;
    private bool _headerWritten;

    public ConnectionTableWriter(TextWriter output) => _output = output;

    public int Rows { get; private set; }

    public void OnConnection(ConnectionReport report)
    {
        if (!_headerWritten)
        {
            _output.WriteLine(string.Format(CultureInfo.InvariantCulture, RowFormat, "TIME", "CLIENT", "SERVER", "CLIENT SOFTWARE", "SERVER SOFTWARE", "HASSH", "CIPHER", "VERDICT", "PKTS", "BYTES"));
            _headerWritten = true;
        }

        Rows++;
        var time = PacketTime.ToDateTimeOffset(report.FirstSeenMicros).UtcDateTime.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        _output.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            RowFormat,
            time,
            report.Client,
            report.Server,
            TerminalText.Safe(report.IsSsh ? report.SshClient?.SoftwareVersion : "(not ssh)", 30),
            TerminalText.Safe(report.SshServer?.SoftwareVersion, 30),
            report.SshClient?.Hassh ?? "-",
            TerminalText.Safe(report.Algorithms?.CipherClientToServer, 28),
            report.IsSsh ? report.Verdict.Label : "not-ssh",
            report.PacketsToServer + report.PacketsToClient,
            report.BytesToServer + report.BytesToClient));
    }
}
