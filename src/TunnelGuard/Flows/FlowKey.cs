using TunnelGuard.Decoding;

namespace TunnelGuard.Flows;

/// <summary>A TCP connection's 4-tuple in canonical order (lower endpoint first), so both directions map to one key.</summary>
public readonly record struct FlowKey(IpAddress LowAddress, ushort LowPort, IpAddress HighAddress, ushort HighPort)
{
    public static FlowKey From(in TcpPacket packet)
    {
        var order = packet.Source.CompareTo(packet.Destination);
        return order < 0 || (order == 0 && packet.SourcePort <= packet.DestinationPort)
            ? new FlowKey(packet.Source, packet.SourcePort, packet.Destination, packet.DestinationPort)
            : new FlowKey(packet.Destination, packet.DestinationPort, packet.Source, packet.SourcePort);
    }
}
