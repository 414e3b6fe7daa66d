using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Decoding;

public sealed class PacketDecoderTests
{
    private static readonly byte[] Payload = "SSH-2.0-Test\r\n"u8.ToArray();

    private static byte[] Tcp() => Frames.Tcp(40022, 22, 1000, TcpFlags.Ack | TcpFlags.Psh, Payload, ack: 77);

    private static byte[] V4() => Frames.Ipv4("198.18.0.1", "198.18.0.2", Tcp(), tos: 0x48);

    private static byte[] V6() => Frames.Ipv6("2001:db8::1", "2001:db8::2", Tcp());

    public static TheoryData<string, int, byte[]> Encapsulations() => new()
    {
        { "ethernet", LinkTypes.Ethernet, Frames.Ethernet(V4(), 0x0800) },
        { "802.1Q", LinkTypes.Ethernet, Frames.Ethernet(V4(), 0x0800, 0x8100) },
        { "QinQ 802.1ad+802.1Q", LinkTypes.Ethernet, Frames.Ethernet(V4(), 0x0800, 0x88A8, 0x8100) },
        { "ethernet ipv6", LinkTypes.Ethernet, Frames.Ethernet(V6(), 0x86DD) },
        { "linux sll", LinkTypes.LinuxSll, Frames.Sll(V4(), 0x0800) },
        { "linux sll2", LinkTypes.LinuxSll2, Frames.Sll2(V4(), 0x0800) },
        { "linux sll2 ipv6", LinkTypes.LinuxSll2, Frames.Sll2(V6(), 0x86DD) },
        { "raw ipv4", LinkTypes.Raw, V4() },
        { "raw ipv6", LinkTypes.Raw, V6() },
        { "bsd null little-endian", LinkTypes.Null, Frames.Loopback(V4(), 2, bigEndian: false) },
        { "bsd null big-endian host", LinkTypes.Null, Frames.Loopback(V4(), 2, bigEndian: true) },
        { "bsd null ipv6 (macOS 30)", LinkTypes.Null, Frames.Loopback(V6(), 30, bigEndian: false) },
        { "openbsd loop", LinkTypes.Loop, Frames.Loopback(V4(), 2, bigEndian: true) },
    };

    [Theory]
    [MemberData(nameof(Encapsulations))]
    public void Decode_EachLinkType_FindsTcpPortsSequenceAndPayload(string name, int linkType, byte[] frame)
    {
        var result = PacketDecoder.TryDecode(linkType, frame, out var tcp);

        Assert.True(result == DecodeResult.Tcp, name);
        Assert.Equal(40022, tcp.SourcePort);
        Assert.Equal(22, tcp.DestinationPort);
        Assert.Equal(1000u, tcp.Sequence);
        Assert.Equal(77u, tcp.Acknowledgment);
        Assert.Equal(TcpFlags.Ack | TcpFlags.Psh, tcp.Flags);
        Assert.Equal(Payload.Length, tcp.PayloadLength);
        Assert.Equal(Payload, frame.AsSpan(tcp.PayloadOffset, tcp.CapturedPayloadLength).ToArray());
    }

    [Fact]
    public void Decode_Ipv4_ReadsAddressesAndDscp()
    {
        PacketDecoder.TryDecode(LinkTypes.Raw, V4(), out var tcp);

        Assert.Equal("198.18.0.1", tcp.Source.ToString());
        Assert.Equal("198.18.0.2", tcp.Destination.ToString());
        Assert.True(tcp.Source.IsV4);
        Assert.Equal(0x48 >> 2, tcp.Dscp);
    }

    [Fact]
    public void Decode_Ipv6WithHopByHopAndDestinationOptions_SkipsExtensionHeaders()
    {
        var ip = Frames.Ipv6("2001:db8::1", "2001:db8::2", Tcp(), 6, (0, new byte[8]), (60, new byte[16]));
        ip[41] = 0; // hop-by-hop: 8 bytes
        ip[49] = 1; // destination options: 16 bytes

        Assert.Equal(DecodeResult.Tcp, PacketDecoder.TryDecode(LinkTypes.Raw, ip, out var tcp));
        Assert.Equal(Payload.Length, tcp.PayloadLength);
        Assert.Equal("2001:db8::2", tcp.Destination.ToString());
        Assert.False(tcp.Destination.IsV4);
    }

    [Fact]
    public void Decode_Ipv6NonFirstFragment_IsFragment()
    {
        var fragment = new byte[8];
        fragment[3] = 0x08; // offset 1 (in 8-byte units)
        var ip = Frames.Ipv6("2001:db8::1", "2001:db8::2", Tcp(), 6, (44, fragment));

        Assert.Equal(DecodeResult.Fragment, PacketDecoder.TryDecode(LinkTypes.Raw, ip, out _));
    }

    [Fact]
    public void Decode_Ipv4NonFirstFragment_IsFragment()
    {
        var ip = Frames.Ipv4("198.18.0.1", "198.18.0.2", Tcp(), flagsAndOffset: 0x0010);

        Assert.Equal(DecodeResult.Fragment, PacketDecoder.TryDecode(LinkTypes.Raw, ip, out _));
    }

    [Fact]
    public void Decode_SnaplenTruncatedFrame_TakesPayloadLengthFromIpHeader()
    {
        var frame = Frames.Ethernet(Frames.Ipv4("198.18.0.1", "198.18.0.2", Frames.Tcp(1, 2, 3, TcpFlags.Ack, new byte[1400])), 0x0800);

        Assert.Equal(DecodeResult.Tcp, PacketDecoder.TryDecode(LinkTypes.Ethernet, frame.AsSpan(0, 96), out var tcp));
        Assert.Equal(1400, tcp.PayloadLength);
        Assert.Equal(96 - 14 - 20 - 20, tcp.CapturedPayloadLength);
    }

    [Fact]
    public void Decode_EthernetTrailerPadding_IsNotPayload()
    {
        var frame = Frames.Ethernet(Frames.Ipv4("198.18.0.1", "198.18.0.2", Frames.Tcp(1, 2, 3, TcpFlags.Ack, [])), 0x0800);
        var padded = frame.Concat(new byte[6]).ToArray();

        PacketDecoder.TryDecode(LinkTypes.Ethernet, padded, out var tcp);

        Assert.Equal(0, tcp.PayloadLength);
        Assert.Equal(0, tcp.CapturedPayloadLength);
    }

    [Fact]
    public void Decode_TsoSegmentWithZeroTotalLength_UsesCapturedLength()
    {
        var ip = Frames.Ipv4("198.18.0.1", "198.18.0.2", Frames.Tcp(1, 2, 3, TcpFlags.Ack, new byte[60_000]), totalLength: 0);

        Assert.Equal(DecodeResult.Tcp, PacketDecoder.TryDecode(LinkTypes.Raw, ip, out var tcp));
        Assert.Equal(60_000, tcp.PayloadLength);
    }

    [Fact]
    public void Decode_TcpOptions_PayloadStartsAfterThem()
    {
        var ip = Frames.Ipv4("198.18.0.1", "198.18.0.2", Frames.Tcp(1, 2, 3, TcpFlags.Ack, Payload, optionBytes: 12));

        PacketDecoder.TryDecode(LinkTypes.Raw, ip, out var tcp);

        Assert.Equal(52, tcp.PayloadOffset);
        Assert.Equal(Payload, ip.AsSpan(tcp.PayloadOffset, tcp.CapturedPayloadLength).ToArray());
    }

    [Theory]
    [InlineData("ip header length below 20", 0)]
    [InlineData("total length below header", 1)]
    [InlineData("tcp data offset below 5", 2)]
    [InlineData("tcp header beyond ip total length", 3)]
    [InlineData("frame shorter than ip header", 4)]
    public void Decode_LyingHeaderLengths_IsMalformed(string what, int variant)
    {
        var ip = V4();
        switch (variant)
        {
            case 0: ip[0] = 0x44; break;
            case 1: ip[2] = 0; ip[3] = 10; break;
            case 2: ip[20 + 12] = 0x40; break;
            case 3: ip[2] = 0; ip[3] = 30; break;
            case 4: ip = ip[..12]; break;
        }

        Assert.True(PacketDecoder.TryDecode(LinkTypes.Raw, ip, out _) == DecodeResult.Malformed, what);
    }

    [Fact]
    public void Decode_TooManyVlanTags_IsMalformed()
    {
        var frame = Frames.Ethernet(V4(), 0x0800, [.. Enumerable.Repeat((ushort)0x8100, 9)]);

        Assert.Equal(DecodeResult.Malformed, PacketDecoder.TryDecode(LinkTypes.Ethernet, frame, out _));
    }

    [Fact]
    public void Decode_Udp_IsNotTcp()
    {
        var ip = Frames.Ipv4("198.18.0.1", "198.18.0.2", new byte[8], protocol: 17);

        Assert.Equal(DecodeResult.NotTcp, PacketDecoder.TryDecode(LinkTypes.Raw, ip, out _));
    }

    [Fact]
    public void Decode_Arp_IsNotIp()
    {
        Assert.Equal(DecodeResult.NotIp, PacketDecoder.TryDecode(LinkTypes.Ethernet, Frames.Ethernet(new byte[28], 0x0806), out _));
    }

    [Fact]
    public void Decode_UnknownLinkType_IsUnsupported()
    {
        Assert.Equal(DecodeResult.UnsupportedLinkType, PacketDecoder.TryDecode(105, V4(), out _));
    }
}
