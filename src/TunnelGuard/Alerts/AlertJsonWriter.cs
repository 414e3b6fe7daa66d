using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
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
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TextWriter _output;

    public AlertJsonWriter(TextWriter output) => _output = output;

    public void OnAlert(Alert alert)
    {
        _output.Write(ToJson(alert));
        _output.Write('\n');
    }

    public void Dispose() => _output.Flush();

    /// <summary>One alert as a single JSON line, without the newline.</summary>
    public static string ToJson(Alert alert)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            Write(writer, alert);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

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

        w.WriteString("community_id", a.CommunityId);
        w.WriteString("src_ip", a.Client.Address.ToString());
        w.WriteNumber("src_port", a.Client.Port);
        w.WriteString("dest_ip", a.Server.Address.ToString());
        w.WriteNumber("dest_port", a.Server.Port);
        w.WriteString("proto", "TCP");
        WriteAlert(w, a);
        w.WriteStartObject("ssh");
        WriteSide(w, "client", a.ClientSoftware, a.ClientHassh);
        WriteSide(w, "server", a.ServerSoftware, a.ServerHassh);
        w.WriteEndObject();
        WriteVerdict(w, a.Verdict);
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
        w.WriteStartArray("reasons");
        foreach (var reason in a.Reasons)
        {
            w.WriteStringValue(reason);
        }

        w.WriteEndArray();
        if (a.Block is { } block)
        {
            w.WriteStartObject("block");
            w.WriteString("target", block.Target switch { BlockTarget.Client => "client", BlockTarget.Server => "server", _ => "pair" });
            w.WriteStartArray("addresses");
            foreach (var address in block.Addresses)
            {
                w.WriteStringValue(address.ToString());
            }

            w.WriteEndArray();
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
        WriteNullable(w, "software_version", software);
        WriteNullable(w, "hassh", hassh);
        w.WriteEndObject();
    }

    private static void WriteVerdict(Utf8JsonWriter w, Verdict v)
    {
        w.WriteStartObject("verdict");
        w.WriteString("label", v.Label);
        w.WriteStartArray("labels");
        foreach (var label in v.Labels)
        {
            w.WriteStringValue(label);
        }

        w.WriteEndArray();
        w.WriteNumber("confidence", Math.Round(v.Confidence, 4));
        w.WriteStartArray("evidence");
        foreach (var evidence in v.Evidence)
        {
            w.WriteStringValue(evidence);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
