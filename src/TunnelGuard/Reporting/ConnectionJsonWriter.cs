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
    // The shape's feature names as UTF-8, once.
    private static readonly byte[][] FeatureNames = [.. ShapeFeatures.Names.Select(Encoding.UTF8.GetBytes)];

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

    /// <summary>Loads and initializes what writing needs (System.Text.Json, the encoder's tables), e.g. on an idle core at start-up.</summary>
    public static void WarmUp()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer, JsonLine.Options);
        writer.WriteStartObject();
        writer.WriteString("shared"u8, JsonText.Shared("warm-up+"));
        writer.WriteString("escaped"u8, "warm-up\u001b");
        JsonNumber.WriteRounded(writer, "number"u8, 0.5, 4);
        writer.WriteEndObject();
    }

    /// <summary>One report as a single JSON line, without the newline.</summary>
    public static string ToJson(ConnectionReport report) => JsonLine.Format(report, Write);

    /// <summary>Writes one report as a JSON object.</summary>
    /// <remarks>
    /// Property names are UTF-8 literals, strings that many reports share go through <see cref="JsonText"/>, and rounded
    /// numbers through <see cref="JsonNumber"/>: the same bytes as the writer's general paths, for a fraction of the time
    /// (benchmarks/TunnelGuard.Benchmarks, ConnectionJsonWriterBenchmarks).
    /// </remarks>
    public static void Write(Utf8JsonWriter w, ConnectionReport r)
    {
        Span<byte> timestamp = stackalloc byte[PacketTime.Rfc3339Buffer];
        w.WriteStartObject();
        w.WriteString("event_type"u8, r.IsSsh ? "ssh"u8 : "flow"u8);
        w.WriteString("timestamp"u8, PacketTime.FormatRfc3339(r.FirstSeenMicros, timestamp));
        if (r.Source is not null)
        {
            w.WriteString("pcap"u8, JsonText.Shared(r.Source));
        }

        JsonLine.WriteConnection(w, r.CommunityId, r.Client, r.Server);
        if (r.IsSsh)
        {
            WriteSsh(w, r);
        }

        WriteVerdict(w, r.Verdict, r.VerdictChanges);
        if (r.Features is { } features)
        {
            w.WriteStartObject("shape"u8);
            Span<float> vector = stackalloc float[ShapeFeatures.VectorLength];
            features.WriteVector(vector);
            for (var i = 0; i < vector.Length; i++)
            {
                JsonNumber.WriteRounded(w, FeatureNames[i], vector[i], 4);
            }

            w.WriteEndObject();
        }

        w.WriteStartObject("packets"u8);
        w.WriteNumber("to_server"u8, r.PacketsToServer);
        w.WriteNumber("to_client"u8, r.PacketsToClient);
        w.WriteEndObject();
        w.WriteStartObject("bytes"u8);
        w.WriteNumber("to_server"u8, r.BytesToServer);
        w.WriteNumber("to_client"u8, r.BytesToClient);
        w.WriteEndObject();
        JsonNumber.WriteRounded(w, "duration_s"u8, r.DurationSeconds, 6);
        w.WriteStartObject("flow"u8);
        w.WriteBoolean("start_seen"u8, r.StartSeen);
        w.WriteBoolean("opened_by_server"u8, r.OpenedByServer);
        w.WriteString("end_reason"u8, JsonText.Shared(EndReasonName(r.EndReason)));
        w.WriteString("last_seen"u8, PacketTime.FormatRfc3339(r.LastSeenMicros, timestamp));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteSsh(Utf8JsonWriter w, ConnectionReport r)
    {
        w.WriteStartObject("ssh"u8);
        WriteSide(w, "client"u8, r.SshClient);
        WriteSide(w, "server"u8, r.SshServer);
        var a = r.Algorithms;
        JsonLine.WriteSharedOrNull(w, "kex_alg"u8, a?.Kex);
        JsonLine.WriteSharedOrNull(w, "host_key_alg"u8, a?.HostKey);
        JsonLine.WriteSharedOrNull(w, "cipher_alg"u8, a?.CipherClientToServer);
        JsonLine.WriteSharedOrNull(w, "mac_alg"u8, a?.MacClientToServer);
        JsonLine.WriteSharedOrNull(w, "compression_alg"u8, a?.CompressionClientToServer);
        if (a is not null)
        {
            w.WriteStartObject("server_to_client"u8);
            JsonLine.WriteSharedOrNull(w, "cipher_alg"u8, a.CipherServerToClient);
            JsonLine.WriteSharedOrNull(w, "mac_alg"u8, a.MacServerToClient);
            JsonLine.WriteSharedOrNull(w, "compression_alg"u8, a.CompressionServerToClient);
            w.WriteEndObject();
        }

        if (r.RoleBasis is { } basis)
        {
            w.WriteString("roles_from"u8, JsonText.Shared(RoleBasisName(basis)));
        }

        w.WriteString("auth"u8, JsonText.Shared(Shape.AuthInference.Name(r.Auth)));

        JsonLine.WriteStrings(w, "problems"u8, r.Problems);
        w.WriteEndObject();
    }

    private static void WriteSide(Utf8JsonWriter w, ReadOnlySpan<byte> name, SshSideReport? side)
    {
        w.WriteStartObject(name);
        JsonLine.WriteSharedOrNull(w, "proto_version"u8, side?.ProtoVersion);
        WriteSoftwareVersion(w, side);
        JsonLine.WriteSharedOrNull(w, "hassh"u8, side?.Hassh);
        JsonLine.WriteSharedOrNull(w, "hassh_string"u8, side?.HasshString);
        if (side is { PreBannerLines: > 0 })
        {
            w.WriteNumber("pre_banner_lines"u8, side.PreBannerLines);
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
            w.WriteString("software_version"u8, full[..(software.Length + 1 + comments.Length)]);
            return;
        }

        JsonLine.WriteSharedOrNull(w, "software_version"u8, side?.FullSoftwareVersion);
    }

    private static void WriteVerdict(Utf8JsonWriter w, Verdict v, IReadOnlyList<VerdictChange> changes)
    {
        w.WriteStartObject("verdict"u8);
        JsonLine.WriteVerdictFields(w, v);
        if (v.DecidedAfterSeconds is { } after)
        {
            JsonNumber.WriteRounded(w, "decided_after_s"u8, after, 6);
        }
        else
        {
            w.WriteNull("decided_after_s"u8);
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
