using System.Buffers.Binary;

namespace TunnelGuard.Ssh;

/// <summary>
/// A fast non-cryptographic hash of a byte span (wyhash's 64x64→128-bit multiply-fold, 32 bytes a step in two chains), seeded per
/// process. Used to find a KEXINIT already seen by its bytes; a collision, even a crafted one, only costs a byte
/// comparison, because every hit is checked byte for byte.
/// </summary>
internal static class PayloadHash
{
    // wyhash's constants.
    private const ulong Secret0 = 0xA076_1D64_78BD_642F;
    private const ulong Secret1 = 0xE703_7ED1_A0B4_28DB;

    private static readonly ulong ProcessSeed = (ulong)Random.Shared.NextInt64() ^ Secret0;

    public static uint Of(ReadOnlySpan<byte> data) => Of(data, ProcessSeed);

    internal static uint Of(ReadOnlySpan<byte> data, ulong seed)
    {
        var length = (ulong)data.Length;
        seed ^= Fold(seed ^ Secret0, length ^ Secret1);
        var rest = data;
        if (rest.Length > 32)
        {
            // Two independent chains, so that each step's multiply does not wait for the one before (as wyhash's three).
            var other = seed;
            do
            {
                seed = Fold(Read64(rest) ^ Secret1, Read64(rest[8..]) ^ seed);
                other = Fold(Read64(rest[16..]) ^ Secret0, Read64(rest[24..]) ^ other);
                rest = rest[32..];
            }
            while (rest.Length > 32);
            seed ^= other;
        }

        while (rest.Length > 16)
        {
            seed = Fold(Read64(rest) ^ Secret1, Read64(rest[8..]) ^ seed);
            rest = rest[16..];
        }

        // The last 1-16 bytes, read from the end of the data (overlapping what the loop read when it ran).
        ulong a;
        ulong b;
        if (data.Length >= 16)
        {
            a = Read64(data[^16..]);
            b = Read64(data[^8..]);
        }
        else if (data.Length >= 8)
        {
            a = Read64(data);
            b = Read64(data[^8..]);
        }
        else if (data.Length >= 4)
        {
            a = BinaryPrimitives.ReadUInt32LittleEndian(data);
            b = BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]);
        }
        else if (data.Length > 0)
        {
            a = ((ulong)data[0] << 16) | ((ulong)data[data.Length >> 1] << 8) | data[^1];
            b = 0;
        }
        else
        {
            a = 0;
            b = 0;
        }

        var hash = Fold(Secret1 ^ length, Fold(a ^ Secret1, b ^ seed));
        return (uint)(hash ^ (hash >> 32));
    }

    private static ulong Read64(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadUInt64LittleEndian(data);

    private static ulong Fold(ulong a, ulong b)
    {
        var high = Math.BigMul(a, b, out var low);
        return high ^ low;
    }
}
