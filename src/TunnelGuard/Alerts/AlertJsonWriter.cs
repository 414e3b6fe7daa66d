using System.Text.Json;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Alerts;

/// <summary>
/// Writes alerts as JSON lines, <c>"event_type":"alert"</c>, with the same top-level connection fields as the replay
/// output (timestamp, pcap, community_id, src_ip, src_port, dest_ip, dest_port, proto, ssh, verdict), EVE-style.
/// </summary>
public sealed class AlertJsonWriter : IAlertSink, IDisposable
{
    private readonly TextWriter _output;

    public AlertJsonWriter(TextWriter output) => _output = output;

    public void OnAlert(Alert alert)
    {
        // One call per line: a monitor's output is shared with the connection reports of another thread.
        _output.Write(ToJson(alert) + "\n");
    }

    public void Dispose() => _output.Flush();

    /// <summary>One alert as a single JSON line, without the newline.</summary>
    public static string ToJson(Alert alert) => JsonLine.Format(alert, Write);

    public static void Write(Utf8JsonWriter w, Alert a)
    {
        w.WriteStartObject();
        w.WriteString("event_type", "alert");
        w.WriteString("timestamp", PacketTime.ToRfc3339(a.TimeMicros));
        if (a.Pcap is not null)
        {
            w.WriteString("pcap", a.Pcap);
        }

        if (a.Sensor is not null)
        {
            w.WriteString("sensor", a.Sensor);
        }

        JsonLine.WriteConnection(w, a.CommunityId, a.Client, a.Server);
        WriteAlert(w, a);
        w.WriteStartObject("ssh");
        WriteSide(w, "client", a.ClientSoftware, a.ClientHassh);
        WriteSide(w, "server", a.ServerSoftware, a.ServerHassh);
        w.WriteEndObject();
        w.WriteStartObject("verdict");
        JsonLine.WriteVerdictFields(w, a.Verdict);
        JsonLine.WriteVerdictChanges(w, a.VerdictChanges);
        w.WriteEndObject();
        w.WriteStartObject("flow");
        w.WriteString("start", PacketTime.ToRfc3339(a.FirstSeenMicros));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteAlert(Utf8JsonWriter w, Alert a)
    {
        w.WriteStartObject("alert");
        w.WriteString("id", a.Id);
        w.WriteString("rule_id", a.RuleId);
        w.WriteString("title", a.Title);
        w.WriteString("severity", AlertSeverities.Name(a.Severity));
        w.WriteString("action", a.Action);
        JsonLine.WriteStrings(w, "reasons", a.Reasons);
        if (a.Block is { } block)
        {
            w.WriteStartObject("block");
            w.WriteString("target", block.Target switch { BlockTarget.Client => "client", BlockTarget.Server => "server", _ => "pair" });
            JsonLine.WriteStrings(w, "addresses", block.Addresses.Select(a => a.ToString()));
            w.WriteNumber("duration_s", (long)block.Duration.TotalSeconds);
            w.WriteNumber("repeat", block.Repeat);
            w.WriteBoolean("enforced", a.Enforced);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteSide(Utf8JsonWriter w, string name, string? software, string? hassh)
    {
        w.WriteStartObject(name);
        JsonLine.WriteNullable(w, "software_version", software);
        JsonLine.WriteNullable(w, "hassh", hassh);
        w.WriteEndObject();
    }
}
