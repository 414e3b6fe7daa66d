using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TunnelGuard.Classification;
using TunnelGuard.Decoding;

namespace TunnelGuard.Reporting;

/// <summary>
/// What the JSON lines writers (connection reports and alerts) share, so that both write the connection and the
/// verdict the same way and escape the same: quotes, backslashes and every control character (no ANSI escape or
/// newline from a hostile banner survives), while printable text such as '+' in "Debian-2+deb12u10" stays readable.
/// </summary>
internal static class JsonLine
{
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One value as a single JSON line, without the newline.</summary>
    public static string Format<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The EVE-style connection fields: community_id, src_ip, src_port, dest_ip, dest_port, proto.</summary>
    public static void WriteConnection(Utf8JsonWriter w, string communityId, Endpoint client, Endpoint server)
    {
        w.WriteString("community_id", communityId);
        Span<byte> address = stackalloc byte[IpAddress.MaxUtf8Length];
        w.WriteString("src_ip", client.Address.FormatUtf8(address));
        w.WriteNumber("src_port", client.Port);
        w.WriteString("dest_ip", server.Address.FormatUtf8(address));
        w.WriteNumber("dest_port", server.Port);
        w.WriteString("proto", "TCP");
    }

    /// <summary>The verdict's label, labels, confidence and evidence, inside an object the caller opened.</summary>
    public static void WriteVerdictFields(Utf8JsonWriter w, Verdict v)
    {
        w.WriteString("label", v.Label);
        WriteStrings(w, "labels", v.Labels);
        w.WriteNumber("confidence", Math.Round(v.Confidence, 4));
        WriteStrings(w, "evidence", v.Evidence);
    }

    /// <summary>The verdict's timeline as a <c>changes</c> array: when, how long after the first packet, label, confidence.</summary>
    public static void WriteVerdictChanges(Utf8JsonWriter w, IReadOnlyList<VerdictChange> changes)
    {
        w.WriteStartArray("changes");
        Span<byte> timestamp = stackalloc byte[PacketTime.Rfc3339Buffer];
        // Indexed: a foreach over the interface boxes the list's enumerator, once per report.
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            w.WriteStartObject();
            w.WriteString("timestamp", PacketTime.FormatRfc3339(change.AtMicros, timestamp));
            w.WriteNumber("after_s", Math.Round(change.AfterSeconds, 6));
            w.WriteString("label", change.Verdict.Label);
            w.WriteNumber("confidence", Math.Round(change.Verdict.Confidence, 4));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        // Indexed: a foreach over the interface boxes the list's enumerator (labels, evidence, problems of every report).
        w.WriteStartArray(name);
        for (var i = 0; i < values.Count; i++)
        {
            w.WriteStringValue(values[i]);
        }

        w.WriteEndArray();
    }

    public static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    public static void WriteNullable(Utf8JsonWriter w, string name, string? value)
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
