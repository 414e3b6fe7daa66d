using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Fuzzing;

/// <summary>Inputs the decoder and pipeline fuzz targets found (fuzz/run.sh decoder, pipeline); see docs/fuzzing.md.</summary>
public sealed class DecoderFuzzRegressionTests
{
    // Ethernet 14 + IPv4 20 + the first 24 bytes of a 40-byte TCP header: a snaplen cut inside the options.
    private const int CutInsideOptions = 14 + 20 + 24;

    private static byte[] FrameWithOptions() =>
        Frames.Ethernet(Frames.Ipv4("198.18.0.1", "198.18.0.2", Frames.Tcp(40000, 22, 1000, TcpFlags.Ack | TcpFlags.Psh, new byte[100], optionBytes: 20)), 0x0800);

    [Fact]
    public void SnaplenCutInsideTcpOptions_PayloadOffsetStaysInsideTheFrame()
    {
        var frame = FrameWithOptions().AsSpan(0, CutInsideOptions);

        Assert.Equal(DecodeResult.Tcp, PacketDecoder.TryDecode(LinkTypes.Ethernet, frame, out var tcp));
        Assert.InRange(tcp.PayloadOffset, 0, frame.Length);
        Assert.Equal(0, tcp.CapturedPayloadLength);
        Assert.Equal(100, tcp.PayloadLength);
    }

    [Fact]
    public void SnaplenCutInsideTcpOptions_IsProcessedByThePipelineWithoutThrowing()
    {
        var sink = new ListSink();
        var pipeline = new PacketPipeline(new FlowTableOptions(), sink, reportAllFlows: true);
        var frame = FrameWithOptions();

        pipeline.Process(new RawPacket(LinkTypes.Ethernet, 1_000_000, frame.AsSpan(0, CutInsideOptions), frame.Length));
        pipeline.Complete();

        Assert.Equal(1, pipeline.Counters.Tcp);
        Assert.Single(sink.Reports);
    }
}
