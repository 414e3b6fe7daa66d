using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;

namespace TunnelGuard.Capture;

/// <summary>
/// Rewrites a classic pcap so that it keeps only what the pipeline reads: every frame whole while its TCP payload lies in
/// the first <see cref="FlowTableOptions.StreamPrefixBytes"/> of its direction (the part the SSH handshake parser can
/// see), later frames cut to their link, IP and TCP headers. Record lengths on the wire and the IP length fields are
/// kept, so sizes, timing and verdicts stay the same while the encrypted bulk goes.
/// </summary>
/// <remarks>
/// Mirrors <see cref="StreamPrefix"/>: a direction's stream starts one past its SYN, or at the first payload seen
/// without one; a frame whose payload starts at or past the cap adds nothing to the prefix. A frame is cut only when the
/// cut frame decodes to the same TCP facts (GRO captures with a zero IP length keep theirs whole). Reads with the
/// engine's <see cref="CaptureFileReader"/>, writes through libpcap (SharpPcap's <see cref="CaptureFileWriterDevice"/>);
/// pcapng files are copied whole.
/// </remarks>
public static class CaptureSlimmer
{
    // libpcap's MAXIMUM_SNAPLEN, what tcpdump writes by default.
    private const int Snaplen = 262_144;

    /// <summary>Writes the slim copy of <paramref name="input"/> to <paramref name="output"/>.</summary>
    public static CaptureSlimResult Slim(string input, string output, int? streamPrefixBytes = null)
    {
        var cap = streamPrefixBytes ?? new FlowTableOptions().StreamPrefixBytes;
        using var reader = CaptureFileReader.Open(input);
        if (reader.IsPcapNg)
        {
            return CopyWhole(reader, input, output);
        }

        var streams = new Dictionary<(IpAddress, ushort, IpAddress, ushort), uint>();
        using var writer = new CaptureFileWriterDevice(output, FileMode.Create);
        var opened = false;
        var frames = 0L;
        var cut = 0L;
        var bytesIn = 0L;
        var bytesOut = 0L;
        while (reader.TryRead(out var packet))
        {
            if (!opened)
            {
                writer.Open(new DeviceConfiguration { LinkLayerType = (LinkLayers)packet.LinkType, Snaplen = Snaplen });
                opened = true;
            }

            var keep = KeptLength(packet, streams, cap);
            var header = new PcapHeader(
                checked((uint)(packet.TimestampMicros / 1_000_000)),
                checked((uint)(packet.TimestampMicros % 1_000_000)),
                checked((uint)packet.OriginalLength),
                checked((uint)keep));
            writer.Write(packet.Data[..keep], ref header);
            frames++;
            cut += keep < packet.Data.Length ? 1 : 0;
            bytesIn += packet.Data.Length;
            bytesOut += keep;
        }

        if (!opened)
        {
            // An empty capture stays an empty capture, with the header libpcap writes.
            writer.Open(new DeviceConfiguration { LinkLayerType = LinkLayers.Ethernet, Snaplen = Snaplen });
        }

        return new CaptureSlimResult(frames, cut, bytesIn, bytesOut);
    }

    /// <summary>
    /// pcapng is copied unchanged: its interfaces may differ in link type, which one classic pcap cannot hold, and libpcap
    /// writes no pcapng. The lab records classic pcap.
    /// </summary>
    private static CaptureSlimResult CopyWhole(CaptureFileReader reader, string input, string output)
    {
        var frames = 0L;
        var bytes = 0L;
        while (reader.TryRead(out var packet))
        {
            frames++;
            bytes += packet.Data.Length;
        }

        File.Copy(input, output, overwrite: true);
        return new CaptureSlimResult(frames, 0, bytes, bytes);
    }

    /// <summary>How many of the frame's captured bytes to keep.</summary>
    private static int KeptLength(in RawPacket packet, Dictionary<(IpAddress, ushort, IpAddress, ushort), uint> streams, int cap)
    {
        if (PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var tcp) != DecodeResult.Tcp)
        {
            return packet.Data.Length;
        }

        var key = (tcp.Source, tcp.SourcePort, tcp.Destination, tcp.DestinationPort);
        var sequence = tcp.Has(TcpFlags.Syn) ? tcp.Sequence + 1 : tcp.Sequence;
        if (tcp.Has(TcpFlags.Syn))
        {
            // A new SYN (a reused 4-tuple) starts a new stream; a retransmitted one gives the same start.
            streams[key] = sequence;
        }

        if (tcp.CapturedPayloadLength == 0)
        {
            return packet.Data.Length;
        }

        if (!streams.ContainsKey(key))
        {
            streams[key] = sequence;
        }

        // Sequence arithmetic is modulo 2^32 (RFC 9293 §3.4), as in StreamPrefix.Add: negative offsets lie before the start.
        var offset = (int)(sequence - streams[key]);
        if (offset < cap)
        {
            return packet.Data.Length;
        }

        var headers = tcp.PayloadOffset;
        var same = PacketDecoder.TryDecode(packet.LinkType, packet.Data[..headers], out var slim) == DecodeResult.Tcp
            && slim with { CapturedPayloadLength = tcp.CapturedPayloadLength } == tcp;
        return same ? headers : packet.Data.Length;
    }
}
