namespace TunnelGuard.Decoding;

/// <summary>
/// The facts the pipeline needs from one TCP/IP packet. Payload lengths come from the IP header, so a capture truncated
/// by its snaplen still gives true sizes; <see cref="CapturedPayloadLength"/> says how much of the payload is present.
/// </summary>
public readonly record struct TcpPacket(
    IpAddress Source,
    IpAddress Destination,
    ushort SourcePort,
    ushort DestinationPort,
    uint Sequence,
    uint Acknowledgment,
    TcpFlags Flags,
    ushort Window,
    int PayloadOffset,
    int PayloadLength,
    int CapturedPayloadLength,
    byte IpVersion,
    byte Dscp)
{
    public bool Has(TcpFlags flag) => (Flags & flag) == flag;
}
