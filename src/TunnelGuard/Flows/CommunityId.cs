using System.Buffers.Binary;
using System.Security.Cryptography;
using TunnelGuard.Decoding;

namespace TunnelGuard.Flows;

/// <summary>The Community ID v1 flow hash (corelight/community-id-spec), the same value Zeek and Suricata log.</summary>
public static class CommunityId
{
    public const byte ProtocolTcp = 6;

    public static string Compute(IpAddress source, ushort sourcePort, IpAddress destination, ushort destinationPort, byte protocol = ProtocolTcp, ushort seed = 0)
    {
        // Order the endpoints so both directions hash alike: smaller address first, ports breaking ties.
        var order = source.CompareTo(destination);
        if (order > 0 || (order == 0 && sourcePort > destinationPort))
        {
            (source, destination) = (destination, source);
            (sourcePort, destinationPort) = (destinationPort, sourcePort);
        }

        // seed (2) . saddr . daddr . proto (1) . padding (1) . sport (2) . dport (2), all in network byte order.
        Span<byte> input = stackalloc byte[2 + 16 + 16 + 2 + 4];
        BinaryPrimitives.WriteUInt16BigEndian(input, seed);
        var length = 2;
        length += source.WriteBytes(input[length..]);
        length += destination.WriteBytes(input[length..]);
        input[length++] = protocol;
        input[length++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(input[length..], sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(input[(length + 2)..], destinationPort);
        length += 4;

        // SHA-1 is what the spec prescribes; this is an identifier, not a security boundary.
#pragma warning disable CA5350
        Span<byte> digest = stackalloc byte[20];
        SHA1.HashData(input[..length], digest);
#pragma warning restore CA5350

        // One string: "1:" and the Base64 of the 20-byte digest (28 characters), with no second string to concatenate.
        Span<char> text = stackalloc char[2 + 28];
        text[0] = '1';
        text[1] = ':';
        Convert.TryToBase64Chars(digest, text[2..], out var written);
        return new string(text[..(2 + written)]);
    }
}
