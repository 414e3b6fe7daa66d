using PacketDotNet;
using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Decoding;

/// <summary>PacketDotNet, an independent decoder, must agree with ours on every packet of every committed capture.</summary>
public sealed class PacketDotNetOracleTests
{
    [Theory]
    [MemberData(nameof(RepoPaths.PcapFiles), MemberType = typeof(RepoPaths))]
    public void Decoder_AgreesWithPacketDotNet_OnEveryTcpPacket(string pcap)
    {
        using var reader = CaptureFileReader.Open(RepoPaths.Pcap(pcap));
        var compared = 0;
        while (reader.TryRead(out var raw))
        {
            var ours = PacketDecoder.TryDecode(raw.LinkType, raw.Data, out var tcp);
            var theirs = Packet.ParsePacket((PacketDotNet.LinkLayers)raw.LinkType, raw.Data.ToArray()).Extract<PacketDotNet.TcpPacket>();
            if (theirs is null)
            {
                Assert.NotEqual(DecodeResult.Tcp, ours);
                continue;
            }

            Assert.Equal(DecodeResult.Tcp, ours);
            var ip = (IPPacket)theirs.ParentPacket;
            Assert.Equal(ip.SourceAddress.ToString(), tcp.Source.ToString());
            Assert.Equal(ip.DestinationAddress.ToString(), tcp.Destination.ToString());
            Assert.Equal(theirs.SourcePort, tcp.SourcePort);
            Assert.Equal(theirs.DestinationPort, tcp.DestinationPort);
            Assert.Equal(theirs.SequenceNumber, tcp.Sequence);
            Assert.Equal(theirs.AcknowledgmentNumber, tcp.Acknowledgment);
            Assert.Equal(theirs.Flags, (ushort)tcp.Flags & 0xFF);

            // PacketDotNet sizes the payload from the captured bytes; ours from the IP header. They agree wherever the
            // whole packet was captured, which is every packet in these captures but snaplen-truncated ones.
            if (raw.Data.Length >= raw.OriginalLength)
            {
                Assert.Equal(theirs.PayloadData?.Length ?? 0, tcp.PayloadLength);
            }

            compared++;
        }

        Assert.True(compared > 0, $"{pcap}: no TCP packet compared");
    }
}
