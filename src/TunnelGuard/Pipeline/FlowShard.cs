using TunnelGuard.Decoding;

namespace TunnelGuard.Pipeline;

/// <summary>
/// Which of N shards a TCP packet's flow belongs to: a fixed hash of the connection's two endpoints that gives both
/// directions the same shard and the same answer in every process (unlike <see cref="object.GetHashCode"/>, which .NET
/// seeds randomly per process).
/// </summary>
internal static class FlowShard
{
    public static int Of(in TcpPacket packet, int shards)
    {
        // Order-independent: the sum of the two endpoints' mixes is the same whichever side sent the packet.
        var hash = Mix(packet.Source, packet.SourcePort) + Mix(packet.Destination, packet.DestinationPort);
        return (int)((hash >> 32) % (uint)shards);
    }

    private static ulong Mix(IpAddress address, ushort port)
    {
        // The splitmix64 finaliser over the address halves and the port.
        var x = address.High ^ (address.Low * 0x9E37_79B9_7F4A_7C15UL) ^ ((ulong)port << 17);
        x = (x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return x ^ (x >> 31);
    }
}
