using System.Buffers.Binary;
using TunnelGuard.Capture;

namespace TunnelGuard.Decoding;

/// <summary>
/// Decodes link, IP and TCP headers from a captured frame's span without allocating. Everything past the TCP header is
/// left in place: the caller reads the payload at <see cref="TcpPacket.PayloadOffset"/>.
/// </summary>
public static class PacketDecoder
{
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeIpv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const ushort EtherTypeQinQOld1 = 0x9100;
    private const ushort EtherTypeQinQOld2 = 0x9200;
    private const byte ProtocolTcp = 6;

    // More stacked VLAN tags than any real network uses means a crafted frame.
    private const int MaxVlanTags = 8;

    // Bounds the IPv6 extension-header walk.
    private const int MaxIpv6ExtensionHeaders = 16;

    public static DecodeResult TryDecode(int linkType, ReadOnlySpan<byte> frame, out TcpPacket packet)
    {
        packet = default;
        switch (linkType)
        {
            case LinkTypes.Ethernet:
                return DecodeEthernet(frame, out packet);
            case LinkTypes.LinuxSll:
                // Linux cooked v1: 16-byte header, protocol in its last two bytes.
                return frame.Length < 16 ? DecodeResult.Malformed : DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]), frame[16..], 16, out packet);
            case LinkTypes.LinuxSll2:
                // Linux cooked v2: 20-byte header, protocol first.
                return frame.Length < 20 ? DecodeResult.Malformed : DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame), frame[20..], 20, out packet);
            case LinkTypes.Raw or LinkTypes.RawAlt12 or LinkTypes.RawAlt14:
                return frame.IsEmpty ? DecodeResult.Malformed : DecodeIp(frame, 0, out packet);
            case LinkTypes.Ipv4:
                return DecodeIpv4(frame, 0, out packet);
            case LinkTypes.Ipv6:
                return DecodeIpv6(frame, 0, out packet);
            case LinkTypes.Null:
            case LinkTypes.Loop:
                return DecodeLoopback(linkType, frame, out packet);
            default:
                return DecodeResult.UnsupportedLinkType;
        }
    }

    private static DecodeResult DecodeEthernet(ReadOnlySpan<byte> frame, out TcpPacket packet)
    {
        packet = default;
        if (frame.Length < 14)
        {
            return DecodeResult.Malformed;
        }

        return DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[12..]), frame[14..], 14, out packet);
    }

    private static DecodeResult DecodeEtherType(ushort etherType, ReadOnlySpan<byte> rest, int offset, out TcpPacket packet)
    {
        packet = default;
        for (var tags = 0; etherType is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQOld1 or EtherTypeQinQOld2; tags++)
        {
            // 802.1Q / 802.1ad tag: 2 bytes TCI, then the next EtherType.
            if (rest.Length < 4 || tags == MaxVlanTags)
            {
                return DecodeResult.Malformed;
            }

            etherType = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
            rest = rest[4..];
            offset += 4;
        }

        return etherType switch
        {
            EtherTypeIpv4 => DecodeIpv4(rest, offset, out packet),
            EtherTypeIpv6 => DecodeIpv6(rest, offset, out packet),
            _ => DecodeResult.NotIp,
        };
    }

    private static DecodeResult DecodeLoopback(int linkType, ReadOnlySpan<byte> frame, out TcpPacket packet)
    {
        packet = default;
        if (frame.Length < 4)
        {
            return DecodeResult.Malformed;
        }

        // DLT_NULL stores the family in the capturing host's byte order; DLT_LOOP in network order.
        var family = linkType == LinkTypes.Loop ? BinaryPrimitives.ReadUInt32BigEndian(frame) : BinaryPrimitives.ReadUInt32LittleEndian(frame);
        if (family > 0xFFFF)
        {
            family = BinaryPrimitives.ReverseEndianness(family);
        }

        // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
        return family switch
        {
            2 => DecodeIpv4(frame[4..], 4, out packet),
            24 or 28 or 30 or 10 => DecodeIpv6(frame[4..], 4, out packet),
            _ => DecodeResult.NotIp,
        };
    }

    private static DecodeResult DecodeIp(ReadOnlySpan<byte> ip, int offset, out TcpPacket packet)
    {
        packet = default;
        return (ip[0] >> 4) switch
        {
            4 => DecodeIpv4(ip, offset, out packet),
            6 => DecodeIpv6(ip, offset, out packet),
            _ => DecodeResult.NotIp,
        };
    }

    private static DecodeResult DecodeIpv4(ReadOnlySpan<byte> ip, int offset, out TcpPacket packet)
    {
        packet = default;
        if (ip.Length < 20 || (ip[0] >> 4) != 4)
        {
            return DecodeResult.Malformed;
        }

        var headerLength = (ip[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (totalLength == 0)
        {
            // A TSO/GSO super-segment captured before segmentation may carry 0 here: trust the capture.
            totalLength = ip.Length;
        }

        if (headerLength < 20 || headerLength > ip.Length || totalLength < headerLength)
        {
            return DecodeResult.Malformed;
        }

        if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF) != 0)
        {
            return DecodeResult.Fragment;
        }

        if (ip[9] != ProtocolTcp)
        {
            return DecodeResult.NotTcp;
        }

        var source = IpAddress.FromV4(ip[12..]);
        var destination = IpAddress.FromV4(ip[16..]);
        var dscp = (byte)(ip[1] >> 2);
        return DecodeTcp(ip[headerLength..], offset + headerLength, totalLength - headerLength, source, destination, 4, dscp, out packet);
    }

    private static DecodeResult DecodeIpv6(ReadOnlySpan<byte> ip, int offset, out TcpPacket packet)
    {
        packet = default;
        if (ip.Length < 40 || (ip[0] >> 4) != 6)
        {
            return DecodeResult.Malformed;
        }

        var dscp = (byte)((((ip[0] & 0x0F) << 4) | (ip[1] >> 4)) >> 2);
        int remaining = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if (remaining == 0)
        {
            // Jumbogram or an unsegmented GSO packet: the capture is all we know.
            remaining = ip.Length - 40;
        }

        var next = ip[6];
        var source = IpAddress.FromV6(ip[8..]);
        var destination = IpAddress.FromV6(ip[24..]);
        var position = 40;
        for (var i = 0; next != ProtocolTcp; i++)
        {
            if (i == MaxIpv6ExtensionHeaders || position + 8 > ip.Length)
            {
                return DecodeResult.Malformed;
            }

            int length;
            switch (next)
            {
                // Hop-by-hop, routing, destination options, mobility, HIP, shim6: (len + 1) * 8 (RFC 8200 §4).
                case 0 or 43 or 60 or 135 or 139 or 140:
                    length = (ip[position + 1] + 1) * 8;
                    break;
                case 44:
                    // Fragment header: a non-first fragment has no TCP header.
                    if ((BinaryPrimitives.ReadUInt16BigEndian(ip[(position + 2)..]) & 0xFFF8) != 0)
                    {
                        return DecodeResult.Fragment;
                    }

                    length = 8;
                    break;
                case 51:
                    // Authentication header: (len + 2) * 4 (RFC 4302 §2.2).
                    length = (ip[position + 1] + 2) * 4;
                    break;
                default:
                    return DecodeResult.NotTcp;
            }

            next = ip[position];
            position += length;
            remaining -= length;
            if (remaining < 0)
            {
                return DecodeResult.Malformed;
            }
        }

        if (position > ip.Length)
        {
            return DecodeResult.Malformed;
        }

        return DecodeTcp(ip[position..], offset + position, remaining, source, destination, 6, dscp, out packet);
    }

    private static DecodeResult DecodeTcp(
        ReadOnlySpan<byte> tcp, int offset, int segmentLength, IpAddress source, IpAddress destination, byte ipVersion, byte dscp, out TcpPacket packet)
    {
        packet = default;
        if (tcp.Length < 20)
        {
            return DecodeResult.Malformed;
        }

        var headerLength = (tcp[12] >> 4) * 4;
        if (headerLength < 20 || headerLength > segmentLength)
        {
            return DecodeResult.Malformed;
        }

        var payloadLength = segmentLength - headerLength;
        var captured = Math.Clamp(tcp.Length - headerLength, 0, payloadLength);
        packet = new TcpPacket(
            source,
            destination,
            BinaryPrimitives.ReadUInt16BigEndian(tcp),
            BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]),
            (TcpFlags)tcp[13],
            BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]),
            // A snaplen cut inside the options leaves no payload: point at the frame's end, not past it.
            offset + Math.Min(headerLength, tcp.Length),
            payloadLength,
            captured,
            ipVersion,
            dscp);
        return DecodeResult.Tcp;
    }
}
