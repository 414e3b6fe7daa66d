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
        w.WriteString("community_id"u8, communityId);
        Span<byte> address = stackalloc byte[IpAddress.MaxUtf8Length];
        w.WriteString("src_ip"u8, client.Address.FormatUtf8(address));
        w.WriteNumber("src_port"u8, client.Port);
        w.WriteString("dest_ip"u8, server.Address.FormatUtf8(address));
        w.WriteNumber("dest_port"u8, server.Port);
        w.WriteString("proto"u8, "TCP"u8);
    }

    /// <summary>The verdict's label, labels, confidence and evidence, inside an object the caller opened.</summary>
    public static void WriteVerdictFields(Utf8JsonWriter w, Verdict v)
    {
        w.WriteString("label"u8, JsonText.Shared(v.Label));
        w.WriteStartArray("labels"u8);
        for (var i = 0; i < v.Labels.Count; i++)
        {
            w.WriteStringValue(JsonText.Shared(v.Labels[i]));
        }

        w.WriteEndArray();
        JsonNumber.WriteRounded(w, "confidence"u8, v.Confidence, 4);
        WriteStrings(w, "evidence"u8, v.Evidence);
    }

    /// <summary>The verdict's timeline as a <c>changes</c> array: when, how long after the first packet, label, confidence.</summary>
    public static void WriteVerdictChanges(Utf8JsonWriter w, IReadOnlyList<VerdictChange> changes)
    {
        w.WriteStartArray("changes"u8);
        Span<byte> timestamp = stackalloc byte[PacketTime.Rfc3339Buffer];
        // Indexed: a foreach over the interface boxes the list's enumerator, once per report.
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            w.WriteStartObject();
            w.WriteString("timestamp"u8, PacketTime.FormatRfc3339(change.AtMicros, timestamp));
            JsonNumber.WriteRounded(w, "after_s"u8, change.AfterSeconds, 6);
            w.WriteString("label"u8, JsonText.Shared(change.Verdict.Label));
            JsonNumber.WriteRounded(w, "confidence"u8, change.Verdict.Confidence, 4);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>An array of strings, by index: a foreach over the interface boxes the list's enumerator, once per report.</summary>
    public static void WriteStrings(Utf8JsonWriter w, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        WriteValues(w, values);
    }

    /// <inheritdoc cref="WriteStrings(Utf8JsonWriter, ReadOnlySpan{byte}, IReadOnlyList{string})"/>
    public static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        WriteValues(w, values);
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

    private static void WriteValues(Utf8JsonWriter w, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            w.WriteStringValue(values[i]);
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

    /// <summary>A string that many reports share (an interned algorithm list, a software version), or null.</summary>
    public static void WriteSharedOrNull(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, JsonText.Shared(value));
        }
    }
}
