namespace TunnelGuard.Flows;

/// <summary>Counters and the reassembled stream prefix of one direction of a flow.</summary>
public sealed class FlowDirection
{
    public FlowDirection(int prefixCap) => Stream = new StreamPrefix(prefixCap);

    public long Packets { get; internal set; }

    /// <summary>TCP payload bytes, as the IP headers state them (true sizes even in snaplen-truncated captures).</summary>
    public long PayloadBytes { get; internal set; }

    public bool FinSeen { get; internal set; }

    public StreamPrefix Stream { get; }
}
