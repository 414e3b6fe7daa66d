using System.Buffers.Binary;
using System.Net;

namespace TunnelGuard.Decoding;

/// <summary>
/// An IPv4 or IPv6 address as two big-endian 64-bit halves (IPv4 as ::ffff:a.b.c.d), so that it is a small value type
/// that compares in network byte order and hashes without allocating.
/// </summary>
public readonly record struct IpAddress(ulong High, ulong Low) : IComparable<IpAddress>
{
    private const ulong V4MappedPrefix = 0x0000_FFFF_0000_0000;

    public bool IsV4 => High == 0 && (Low & 0xFFFF_FFFF_0000_0000) == V4MappedPrefix;

    public static IpAddress FromV4(ReadOnlySpan<byte> bytes) => new(0, V4MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(bytes));

    public static IpAddress FromV6(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));

    public static IpAddress FromIPAddress(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return FromV4(bytes);
        }

        address.TryWriteBytes(bytes, out _);
        return FromV6(bytes);
    }

    public static IpAddress Parse(string text) => FromIPAddress(IPAddress.Parse(text));

    /// <summary>Writes the address in network byte order: 4 bytes for IPv4, 16 for IPv6; returns the count.</summary>
    public int WriteBytes(Span<byte> destination)
    {
        if (IsV4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)Low);
            return 4;
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
        return 16;
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        var count = WriteBytes(bytes);
        return new IPAddress(bytes[..count]);
    }

    public int CompareTo(IpAddress other)
    {
        var high = High.CompareTo(other.High);
        return high != 0 ? high : Low.CompareTo(other.Low);
    }

    public override string ToString() => ToIPAddress().ToString();

    /// <summary>Longest text <see cref="FormatUtf8"/> writes (an IPv6 address with an embedded IPv4 one).</summary>
    public const int MaxUtf8Length = 45;

    /// <summary>
    /// The address as <see cref="ToString"/> writes it, in UTF-8 into <paramref name="destination"/> (at least
    /// <see cref="MaxUtf8Length"/> bytes). IPv4 is written directly, without the <see cref="IPAddress"/> and the string
    /// that a report's two addresses cost otherwise.
    /// </summary>
    public ReadOnlySpan<byte> FormatUtf8(Span<byte> destination)
    {
        if (!IsV4)
        {
            ToIPAddress().TryFormat(destination, out var written);
            return destination[..written];
        }

        var length = 0;
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            var part = (int)(Low >> shift) & 0xFF;
            if (part >= 100)
            {
                destination[length++] = (byte)('0' + (part / 100));
            }

            if (part >= 10)
            {
                destination[length++] = (byte)('0' + (part / 10 % 10));
            }

            destination[length++] = (byte)('0' + (part % 10));
            if (shift > 0)
            {
                destination[length++] = (byte)'.';
            }
        }

        return destination[..length];
    }
}
