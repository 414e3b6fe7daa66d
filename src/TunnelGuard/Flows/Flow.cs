using TunnelGuard.Classification;
using TunnelGuard.Decoding;
using TunnelGuard.Ssh;

namespace TunnelGuard.Flows;

/// <summary>
/// One TCP connection and everything the pipeline stages learn about it: each stage reads what earlier ones wrote and
/// adds its own part. Direction 0 is from the <see cref="Initiator"/> (the SYN's sender when the SYN was captured).
/// </summary>
public sealed class Flow
{
    internal Flow(long id, FlowKey key, IpAddress initiator, ushort initiatorPort, IpAddress responder, ushort responderPort, bool startSeen, long now, int prefixCap, StreamBufferPool? buffers = null)
    {
        Id = id;
        Key = key;
        Initiator = initiator;
        InitiatorPort = initiatorPort;
        Responder = responder;
        ResponderPort = responderPort;
        StartSeen = startSeen;
        FirstSeenMicros = now;
        LastSeenMicros = now;
        Forward = new FlowDirection(prefixCap, buffers);
        Reverse = new FlowDirection(prefixCap, buffers);
    }

    /// <summary>Order of creation within one pipeline run; ties in output order break on it.</summary>
    public long Id { get; }

    public FlowKey Key { get; }

    public IpAddress Initiator { get; }

    public ushort InitiatorPort { get; }

    public IpAddress Responder { get; }

    public ushort ResponderPort { get; }

    /// <summary>True when the connection's SYN was captured; false for flows picked up mid-stream.</summary>
    public bool StartSeen { get; }

    public long FirstSeenMicros { get; }

    public long LastSeenMicros { get; internal set; }

    public FlowDirection Forward { get; }

    public FlowDirection Reverse { get; }

    public bool RstSeen { get; internal set; }

    public bool IsClosed => RstSeen || (Forward.FinSeen && Reverse.FinSeen);

    /// <summary>The SSH stage's findings: null until the flow carries payload.</summary>
    public SshHandshake? Ssh { get; set; }

    /// <summary>The shape and classify stages' state: null until the SSH connection is encrypted.</summary>
    public ConnectionClassification? Classification { get; set; }

    // Intrusive links of the table's recency lists: O(1) touch and eviction without allocation.
    internal Flow? Previous { get; set; }

    internal Flow? Next { get; set; }

    internal FlowListKind List { get; set; }

    // Positions in the input (packet index) of the packet that created the flow and of the last one that touched it: a
    // sharded replay orders the reports of several tables by them exactly as one table would (ReportOrder).
    internal long FirstPacket { get; set; }

    internal long LastPacket { get; set; }

    public FlowDirection Direction(int direction) => direction == 0 ? Forward : Reverse;

    /// <summary>0 when the packet goes from initiator to responder, 1 otherwise.</summary>
    public int DirectionOf(in TcpPacket packet) =>
        packet.Source == Initiator && packet.SourcePort == InitiatorPort ? 0 : 1;
}
