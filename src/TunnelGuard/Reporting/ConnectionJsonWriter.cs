using System.Buffers;
using System.Text;
using System.Text.Json;
using TunnelGuard.Classification;
using TunnelGuard.Ssh;

namespace TunnelGuard.Reporting;

/// <summary>
/// Writes connection reports as JSON lines in the documented schema (event_type "ssh" or "flow"). The writer's default
/// encoder escapes control characters, quotes and non-ASCII, so hostile banners cannot break a line or a terminal.
/// </summary>
public sealed class ConnectionJsonWriter : IConnectionSink, IDisposable
{
    private readonly TextWriter _output;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private char[] _chars = new char[8192];

    public ConnectionJsonWriter(TextWriter output)
    {
        _output = output;
        _writer = new Utf8JsonWriter(_buffer, JsonLine.Options);
    }

    public void OnConnection(ConnectionReport report)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        Write(_writer, report);
        _writer.Flush();

        var bytes = _buffer.WrittenSpan;
        if (_output is Utf8StreamWriter utf8)
        {
            // A file or standard output: the bytes go in as they are.
            utf8.WriteUtf8Line(bytes);
            return;
        }

        // Any other writer: straight from the UTF-8 bytes into it, through one reused char buffer, no string per report.
        var needed = Encoding.UTF8.GetMaxCharCount(bytes.Length) + 1;
        if (_chars.Length < needed)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        var count = Encoding.UTF8.GetChars(bytes, _chars);
        _chars[count] = '\n';
        _output.Write(_chars.AsSpan(0, count + 1));
    }

    public void Dispose()
    {
        _writer.Dispose();
        _output.Flush();
    }

    /// <summary>One report as a single JSON line, without the newline.</summary>
    public static string ToJson(ConnectionReport report) => JsonLine.Format(report, Write);

    /// <summary>Writes one report as a JSON object.</summary>
    public static void Write(Utf8JsonWriter w, ConnectionReport r)
    {
        w.WriteStartObject();
        w.WriteString("event_type", r.IsSsh ? "ssh" : "flow");
        w.WriteString("timestamp", PacketTime.FormatRfc3339(r.FirstSeenMicros, stackalloc byte[PacketTime.Rfc3339Buffer]));
        if (r.Source is not null)
        {
            w.WriteString("pcap", r.Source);
        }

        JsonLine.WriteConnection(w, r.CommunityId, r.Client, r.Server);
        if (r.IsSsh)
        {
            WriteSsh(w, r);
        }

        WriteVerdict(w, r.Verdict, r.VerdictChanges);
        if (r.Features is { } features)
        {
            w.WriteStartObject("shape");
            Span<float> vector = stackalloc float[ShapeFeatures.VectorLength];
            features.WriteVector(vector);
            for (var i = 0; i < vector.Length; i++)
            {
                w.WriteNumber(ShapeFeatures.Names[i], Math.Round(vector[i], 4));
            }

            w.WriteEndObject();
        }
        w.WriteStartObject("packets");
        w.WriteNumber("to_server", r.PacketsToServer);
        w.WriteNumber("to_client", r.PacketsToClient);
        w.WriteEndObject();
        w.WriteStartObject("bytes");
        w.WriteNumber("to_server", r.BytesToServer);
        w.WriteNumber("to_client", r.BytesToClient);
        w.WriteEndObject();
        w.WriteNumber("duration_s", Math.Round(r.DurationSeconds, 6));
        w.WriteStartObject("flow");
        w.WriteBoolean("start_seen", r.StartSeen);
        w.WriteBoolean("opened_by_server", r.OpenedByServer);
        w.WriteString("end_reason", EndReasonName(r.EndReason));
        w.WriteString("last_seen", PacketTime.FormatRfc3339(r.LastSeenMicros, stackalloc byte[PacketTime.Rfc3339Buffer]));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteSsh(Utf8JsonWriter w, ConnectionReport r)
    {
        w.WriteStartObject("ssh");
        WriteSide(w, "client", r.SshClient);
        WriteSide(w, "server", r.SshServer);
        var a = r.Algorithms;
        JsonLine.WriteNullable(w, "kex_alg", a?.Kex);
        JsonLine.WriteNullable(w, "host_key_alg", a?.HostKey);
        JsonLine.WriteNullable(w, "cipher_alg", a?.CipherClientToServer);
        JsonLine.WriteNullable(w, "mac_alg", a?.MacClientToServer);
        JsonLine.WriteNullable(w, "compression_alg", a?.CompressionClientToServer);
        if (a is not null)
        {
            w.WriteStartObject("server_to_client");
            JsonLine.WriteNullable(w, "cipher_alg", a.CipherServerToClient);
            JsonLine.WriteNullable(w, "mac_alg", a.MacServerToClient);
            JsonLine.WriteNullable(w, "compression_alg", a.CompressionServerToClient);
            w.WriteEndObject();
        }

        if (r.RoleBasis is { } basis)
        {
            w.WriteString("roles_from", RoleBasisName(basis));
        }

        w.WriteString("auth", Shape.AuthInference.Name(r.Auth));

        JsonLine.WriteStrings(w, "problems", r.Problems);
        w.WriteEndObject();
    }

    private static void WriteSide(Utf8JsonWriter w, string name, SshSideReport? side)
    {
        w.WriteStartObject(name);
        JsonLine.WriteNullable(w, "proto_version", side?.ProtoVersion);
        WriteSoftwareVersion(w, side);
        JsonLine.WriteNullable(w, "hassh", side?.Hassh);
        JsonLine.WriteNullable(w, "hassh_string", side?.HasshString);
        if (side is { PreBannerLines: > 0 })
        {
            w.WriteNumber("pre_banner_lines", side.PreBannerLines);
        }

        w.WriteEndObject();
    }

    // SshSideReport.FullSoftwareVersion joined on the stack: a string per side per report otherwise. An identification
    // line is at most 255 bytes (RFC 4253 §4.2), so only a report made up elsewhere takes the string.
    private static void WriteSoftwareVersion(Utf8JsonWriter w, SshSideReport? side)
    {
        if (side is { SoftwareVersion: { } software, Comments: { } comments } && software.Length + 1 + comments.Length <= 256)
        {
            Span<char> full = stackalloc char[256];
            software.CopyTo(full);
            full[software.Length] = ' ';
            comments.CopyTo(full[(software.Length + 1)..]);
            w.WriteString("software_version", full[..(software.Length + 1 + comments.Length)]);
            return;
        }

        JsonLine.WriteNullable(w, "software_version", side?.FullSoftwareVersion);
    }

    private static void WriteVerdict(Utf8JsonWriter w, Verdict v, IReadOnlyList<VerdictChange> changes)
    {
        w.WriteStartObject("verdict");
        JsonLine.WriteVerdictFields(w, v);
        if (v.DecidedAfterSeconds is { } after)
        {
            w.WriteNumber("decided_after_s", Math.Round(after, 6));
        }
        else
        {
            w.WriteNull("decided_after_s");
        }

        JsonLine.WriteVerdictChanges(w, changes);
        w.WriteEndObject();
    }

    public static string EndReasonName(Flows.FlowEndReason reason) => reason switch
    {
        Flows.FlowEndReason.Closed => "closed",
        Flows.FlowEndReason.Idle => "idle",
        Flows.FlowEndReason.Evicted => "evicted",
        _ => "end_of_input",
    };

    public static string RoleBasisName(SshRoleBasis basis) => basis switch
    {
        SshRoleBasis.KeyExchange => "key_exchange",
        SshRoleBasis.PreBanner => "pre_banner",
        SshRoleBasis.TcpInitiator => "tcp_initiator",
        _ => "port",
    };
}
