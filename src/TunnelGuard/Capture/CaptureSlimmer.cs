using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;

namespace TunnelGuard.Capture;

/// <summary>
/// Rewrites a classic pcap so that it keeps only what the pipeline reads: a frame stays whole while its payload goes to
/// the SSH handshake parser (banners, key exchange, up to NEWKEYS both ways, or the stream prefix's cap), and every
/// later frame is cut to its link, IP and TCP headers. Record lengths on the wire and the IP length fields stay, so
/// sizes, timing and verdicts are the same while the encrypted bytes go.
/// </summary>
/// <remarks>
/// The real <see cref="PacketPipeline"/> replays the capture and says for each frame whether it read the payload
/// (<see cref="PacketPipeline.PayloadParsed"/>): the slim file then gives the pipeline the same bytes wherever it
/// looks. A frame is cut only when the cut frame decodes to the same TCP facts (a GRO capture with a zero IP length
/// keeps its frames whole). Reads with the engine's <see cref="CaptureFileReader"/>, writes through libpcap (SharpPcap's
/// <see cref="CaptureFileWriterDevice"/>); pcapng files are copied whole.
/// </remarks>
public static class CaptureSlimmer
{
    // libpcap's MAXIMUM_SNAPLEN, what tcpdump writes by default.
    private const int Snaplen = 262_144;

    /// <summary>Writes the slim copy of <paramref name="input"/> to <paramref name="output"/>.</summary>
    public static CaptureSlimResult Slim(string input, string output)
    {
        using var reader = CaptureFileReader.Open(input);
        if (reader.IsPcapNg)
        {
            return CopyWhole(reader, input, output);
        }

        var pipeline = new PacketPipeline(new FlowTableOptions(), new Discard(), reportAllFlows: false, Path.GetFileName(input));
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

            pipeline.Process(packet);
            var keep = pipeline.PayloadParsed ? packet.Data.Length : HeaderLength(packet);
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
            // An empty capture stays an empty capture, with the file header libpcap writes.
            writer.Open(new DeviceConfiguration { LinkLayerType = LinkLayers.Ethernet, Snaplen = Snaplen });
        }

        pipeline.Complete();
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

    /// <summary>The frame's bytes up to its TCP payload, or all of them when cutting would change what it decodes to.</summary>
    private static int HeaderLength(in RawPacket packet)
    {
        if (PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var tcp) != DecodeResult.Tcp || tcp.CapturedPayloadLength == 0)
        {
            return packet.Data.Length;
        }

        var headers = tcp.PayloadOffset;
        var same = PacketDecoder.TryDecode(packet.LinkType, packet.Data[..headers], out var slim) == DecodeResult.Tcp
            && slim with { CapturedPayloadLength = tcp.CapturedPayloadLength } == tcp;
        return same ? headers : packet.Data.Length;
    }

    private sealed class Discard : IConnectionSink
    {
        public void OnConnection(ConnectionReport report)
        {
        }
    }
}
