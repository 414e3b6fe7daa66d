using System.Globalization;
using System.Net.Sockets;
using System.Text;
using TunnelGuard.Reporting;

namespace TunnelGuard.Alerts;

/// <summary>
/// Sends each alert as one RFC 5424 syslog message: packet time as TIMESTAMP, MSGID <c>alert</c>, the key fields as
/// structured data, and the alert's JSON line as MSG (so a SIEM gets the same object as the JSON lines file).
/// A target that is down never throws and never stalls for long: a failure is counted and logged once per outage
/// (and once when the target is back). Over TCP, unsent messages wait in a bounded backlog (oldest dropped and counted
/// when full) and go out, in order, once a reconnect succeeds; reconnects are tried at most every
/// <see cref="RetryInterval"/>, connects and writes give up after <see cref="IoTimeout"/>. UDP has no delivery to
/// wait for: a send that fails (e.g. ICMP port unreachable) is counted as dropped. Over TCP, messages the kernel
/// accepted just before the receiver died can still be lost: RFC 6587 has no acknowledgements. Not thread-safe: one
/// caller at a time (the <see cref="AlertDispatcher"/> worker).
/// </summary>
public sealed class SyslogAlertSink : IAlertSink, IDisposable
{
    /// <summary>How many messages a TCP sink keeps while its target is down; about a day of a busy sensor's alerts.</summary>
    public const int DefaultBacklog = 4096;

    // OnAlert runs on the dispatcher's worker, Retry on a monitor's timer.
    private readonly Lock _lock = new();

    // RFC 5424 §7.2.2: private enterprise number 32473 is reserved for documentation and examples (RFC 5612).
    private const string SdId = "tunnelguard@32473";

    // RFC 5424 §6.2.1: local0.
    private const int DefaultFacility = 16;

    private readonly SyslogTarget _target;
    private readonly int _facility;
    private readonly string _hostName;
    private readonly string _procId;
    private readonly Action<string>? _log;
    private readonly TimeProvider _time;
    private readonly int _backlogLimit;
    private readonly Queue<byte[]> _backlog = new();
    private UdpClient? _udp;
    private Socket? _tcp;
    private bool _down;
    private long _retryAt;

    /// <param name="target">Where to send.</param>
    /// <param name="hostName">The HOSTNAME field for alerts without a sensor; the machine name when null.</param>
    /// <param name="facility">Syslog facility number (RFC 5424 §6.2.1), local0 by default.</param>
    /// <param name="log">Told once when the target stops taking messages and once when it takes them again.</param>
    /// <param name="time">Paces reconnects; the system clock when null.</param>
    /// <param name="backlog">How many messages TCP keeps while the target is down.</param>
    public SyslogAlertSink(SyslogTarget target, string? hostName = null, int facility = DefaultFacility, Action<string>? log = null, TimeProvider? time = null, int backlog = DefaultBacklog)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backlog);
        _target = target;
        _facility = facility;
        _hostName = Header(hostName ?? Environment.MachineName, 255);
        _procId = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        _log = log;
        _time = time ?? TimeProvider.System;
        _backlogLimit = backlog;
    }

    /// <summary>How long after a failure the next reconnect is tried.</summary>
    public static TimeSpan RetryInterval { get; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a connect or a write may take before the target counts as down.</summary>
    public static TimeSpan IoTimeout { get; } = TimeSpan.FromSeconds(2);

    public SyslogTarget Target => _target;

    /// <summary>Messages handed to the network.</summary>
    public long Sent { get; private set; }

    /// <summary>Sends and connects that failed.</summary>
    public long Failures { get; private set; }

    /// <summary>Messages given up: UDP sends that failed, TCP messages pushed out of a full backlog.</summary>
    public long Dropped { get; private set; }

    /// <summary>TCP messages waiting for the target to come back.</summary>
    public int Pending => _backlog.Count;

    /// <summary>Sends the alert, or keeps it (TCP) while the target is down; never throws for a network failure.</summary>
    public void OnAlert(Alert alert)
    {
        var message = Format(alert);
        lock (_lock)
        {
            if (!_target.Tcp)
            {
                SendUdp(message);
                return;
            }

            if (_backlog.Count == _backlogLimit)
            {
                _backlog.Dequeue();
                Dropped++;
            }

            _backlog.Enqueue(message);
            Flush(force: false);
        }
    }

    /// <summary>Tries once more to send what TCP kept (at shutdown); true when nothing is left.</summary>
    public bool TryFlush()
    {
        lock (_lock)
        {
            if (_target.Tcp)
            {
                Flush(force: true);
            }

            return _backlog.Count == 0;
        }
    }

    /// <summary>
    /// Sends what TCP kept if the retry interval since the last failure has passed (a monitor calls this on a timer,
    /// so a backlog goes out when the target is back even if no new alert comes); cheap when there is nothing to send.
    /// </summary>
    public void Retry()
    {
        lock (_lock)
        {
            if (_target.Tcp && _backlog.Count > 0)
            {
                Flush(force: false);
            }
        }
    }

    private void SendUdp(byte[] message)
    {
        try
        {
            _udp ??= new UdpClient(_target.Host, _target.Port);
            _udp.Send(message);
            Sent++;

            // A refused datagram is reported on the send after it (ICMP), so sends to a dead target alternate between
            // "sent" and "refused": only a quiet retry interval counts as the target being back.
            if (_time.GetTimestamp() >= _retryAt)
            {
                Up();
            }
        }
        catch (SocketException ex)
        {
            Failures++;
            Dropped++;
            _retryAt = RetryAt();
            Down(ex);
        }
    }

    private void Flush(bool force)
    {
        if (_down && !force && _time.GetTimestamp() < _retryAt)
        {
            return;
        }

        try
        {
            _tcp ??= Connect();
            while (_backlog.TryPeek(out var message))
            {
                // RFC 6587 §3.4.1 octet counting: "LENGTH SP MESSAGE".
                _tcp.Send([.. Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " "), .. message]);
                _backlog.Dequeue();
                Sent++;
            }

            Up();
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            Failures++;
            CloseTcp();
            _retryAt = RetryAt();
            Down(ex);
        }
    }

    private long RetryAt() => _time.GetTimestamp() + (long)(RetryInterval.TotalSeconds * _time.TimestampFrequency);

    private Socket Connect()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { SendTimeout = (int)IoTimeout.TotalMilliseconds };
        try
        {
            using var timeout = new CancellationTokenSource(IoTimeout);
            socket.ConnectAsync(_target.Host, _target.Port, timeout.Token).AsTask().GetAwaiter().GetResult();
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Down(Exception ex)
    {
        if (_down)
        {
            return;
        }

        _down = true;
        var reason = ex is OperationCanceledException ? $"no answer within {IoTimeout.TotalSeconds:0} s" : ex.Message;
        _log?.Invoke(_target.Tcp
            ? $"syslog {_target}: cannot send ({reason}); keeping up to {_backlogLimit} alerts for it and retrying every {RetryInterval.TotalSeconds:0} s"
            : $"syslog {_target}: cannot send ({reason}); alerts sent while it is down are lost to syslog (counted)");
    }

    private void Up()
    {
        if (_down)
        {
            _down = false;
            _log?.Invoke($"syslog {_target}: sending again");
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
        _tcp?.Dispose();
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
