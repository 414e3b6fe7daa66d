using System.Globalization;
using System.Net.Sockets;
using System.Text;
using TunnelGuard.Reporting;

namespace TunnelGuard.Alerts;

/// <summary>
/// Sends each alert as one RFC 5424 syslog message: packet time as TIMESTAMP, MSGID <c>alert</c>, the key fields as
/// structured data, and the alert's JSON line as MSG (so a SIEM gets the same object as the JSON lines file). Socket
/// errors are thrown to the caller (<see cref="AlertDispatcher"/> counts them); a TCP connection that failed is
/// opened again for the next alert.
/// </summary>
public sealed class SyslogAlertSink : IAlertSink, IDisposable
{
    // RFC 5424 §7.2.2: private enterprise number 32473 is reserved for documentation and examples (RFC 5612).
    private const string SdId = "tunnelguard@32473";

    // RFC 5424 §6.2.1: local0.
    private const int DefaultFacility = 16;

    private readonly SyslogTarget _target;
    private readonly int _facility;
    private readonly string _hostName;
    private readonly string _procId;
    private UdpClient? _udp;
    private TcpClient? _tcp;
    private NetworkStream? _stream;

    public SyslogAlertSink(SyslogTarget target, string? hostName = null, int facility = DefaultFacility)
    {
        _target = target;
        _facility = facility;
        _hostName = Header(hostName ?? Environment.MachineName, 255);
        _procId = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    }

    public void OnAlert(Alert alert)
    {
        var message = Format(alert);
        if (!_target.Tcp)
        {
            _udp ??= new UdpClient(_target.Host, _target.Port);
            _udp.Send(message);
            return;
        }

        try
        {
            if (_stream is null)
            {
                _tcp = new TcpClient(_target.Host, _target.Port);
                _stream = _tcp.GetStream();
            }

            // RFC 6587 §3.4.1 octet counting: "LENGTH SP MESSAGE".
            _stream.Write(Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " "));
            _stream.Write(message);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            CloseTcp();
            throw;
        }
    }

    /// <summary>The whole RFC 5424 message for one alert, UTF-8.</summary>
    public byte[] Format(Alert alert)
    {
        var severity = alert.Severity switch
        {
            AlertSeverity.Critical => 2,
            AlertSeverity.High => 3,
            AlertSeverity.Medium => 4,
            _ => 5,
        };
        var header = string.Create(
            CultureInfo.InvariantCulture,
            $"<{(_facility * 8) + severity}>1 {PacketTime.ToRfc3339(alert.TimeMicros)} {(alert.Sensor is null ? _hostName : Header(alert.Sensor, 255))} tunnelguard {_procId} alert ");
        var data = new StringBuilder("[").Append(SdId);
        Param(data, "id", alert.Id);
        Param(data, "rule", alert.RuleId);
        Param(data, "severity", AlertSeverities.Name(alert.Severity));
        Param(data, "action", alert.Action);
        Param(data, "src", alert.Client.ToString());
        Param(data, "dst", alert.Server.ToString());
        Param(data, "label", alert.Verdict.Label);
        Param(data, "community_id", alert.CommunityId);
        data.Append("] ");

        // RFC 5424 §6.4: a UTF-8 MSG starts with the byte order mark.
        return [.. Encoding.UTF8.GetBytes(header + data), .. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(AlertJsonWriter.ToJson(alert))];
    }

    public void Dispose()
    {
        _udp?.Dispose();
        CloseTcp();
    }

    private void CloseTcp()
    {
        _stream?.Dispose();
        _tcp?.Dispose();
        _stream = null;
        _tcp = null;
    }

    // RFC 5424 §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with '\'.
    private static void Param(StringBuilder data, string name, string value)
    {
        data.Append(' ').Append(name).Append("=\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\' or ']')
            {
                data.Append('\\');
            }

            data.Append(c);
        }

        data.Append('"');
    }

    // RFC 5424 §6.2: header fields are printable US-ASCII without spaces; "-" when empty.
    private static string Header(string value, int max)
    {
        var builder = new StringBuilder(Math.Min(value.Length, max));
        foreach (var c in value)
        {
            if (builder.Length == max)
            {
                break;
            }

            builder.Append(c is > ' ' and <= '~' ? c : '_');
        }

        return builder.Length == 0 ? "-" : builder.ToString();
    }
}
