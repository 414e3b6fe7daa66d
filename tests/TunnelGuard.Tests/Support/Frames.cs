using System.Buffers.Binary;
using System.Net;
using TunnelGuard.Decoding;

namespace TunnelGuard.Tests.Support;

/// <summary>Builds packet frames byte by byte, for decoder tests that need exact control over every header.</summary>
internal static class Frames
{
    public static byte[] Tcp(ushort sourcePort, ushort destinationPort, uint sequence, TcpFlags flags, ReadOnlySpan<byte> payload, uint ack = 0, int optionBytes = 0)
    {
        var headerLength = 20 + optionBytes;
        var tcp = new byte[headerLength + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(8), ack);
        tcp[12] = (byte)(headerLength / 4 << 4);
        tcp[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 64240);
        for (var i = 20; i < headerLength; i++)
        {
            tcp[i] = 1; // NOP options
        }

        payload.CopyTo(tcp.AsSpan(headerLength));
        return tcp;
    }

    public static byte[] Ipv4(string source, string destination, byte[] transport, byte protocol = 6, ushort flagsAndOffset = 0x4000, int? totalLength = null, byte tos = 0)
    {
        var ip = new byte[20 + transport.Length];
        ip[0] = 0x45;
        ip[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)(totalLength ?? ip.Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), flagsAndOffset);
        ip[8] = 64;
        ip[9] = protocol;
        IPAddress.Parse(source).TryWriteBytes(ip.AsSpan(12), out _);
        IPAddress.Parse(destination).TryWriteBytes(ip.AsSpan(16), out _);
        transport.CopyTo(ip, 20);
        return ip;
    }

    /// <summary>An IPv6 packet; each extension header is (its type, its bytes), chained in order before the transport.</summary>
    public static byte[] Ipv6(string source, string destination, byte[] transport, byte protocol = 6, params (byte Type, byte[] Bytes)[] extensions)
    {
        var extLength = extensions.Sum(e => e.Bytes.Length);
        var ip = new byte[40 + extLength + transport.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(extLength + transport.Length));
        ip[6] = extensions.Length > 0 ? extensions[0].Type : protocol;
        ip[7] = 64;
        IPAddress.Parse(source).TryWriteBytes(ip.AsSpan(8), out _);
        IPAddress.Parse(destination).TryWriteBytes(ip.AsSpan(24), out _);
        var position = 40;
        for (var i = 0; i < extensions.Length; i++)
        {
            var bytes = extensions[i].Bytes;
            bytes.CopyTo(ip, position);
            ip[position] = i + 1 < extensions.Length ? extensions[i + 1].Type : protocol;
            position += bytes.Length;
        }

        transport.CopyTo(ip, position);
        return ip;
    }

    public static byte[] Ethernet(byte[] ip, ushort etherType, params ushort[] vlanTpids)
    {
        var frame = new byte[14 + (4 * vlanTpids.Length) + ip.Length];
        frame[0] = 0x02;
        frame[6] = 0x02;
        var position = 12;
        foreach (var tpid in vlanTpids)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(position), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(position + 2), 100);
            position += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(position), etherType);
        ip.CopyTo(frame, position + 2);
        return frame;
    }

    public static byte[] Sll(byte[] ip, ushort protocol)
    {
        var frame = new byte[16 + ip.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), protocol);
        ip.CopyTo(frame, 16);
        return frame;
    }

    public static byte[] Sll2(byte[] ip, ushort protocol)
    {
        var frame = new byte[20 + ip.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, protocol);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), 3);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(8), 1);
        frame[11] = 6;
        ip.CopyTo(frame, 20);
        return frame;
    }

    public static byte[] Loopback(byte[] ip, uint family, bool bigEndian)
    {
        var frame = new byte[4 + ip.Length];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(frame, family);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(frame, family);
        }

        ip.CopyTo(frame, 4);
        return frame;
    }
}
