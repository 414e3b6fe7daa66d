namespace TunnelGuard.Pipeline;

/// <summary>What the pipeline did with the packets it was given; every packet lands in exactly one bucket.</summary>
public sealed class PipelineCounters
{
    public long Packets { get; internal set; }

    public long Bytes { get; internal set; }

    public long Tcp { get; internal set; }

    public long NotIp { get; internal set; }

    public long NotTcp { get; internal set; }

    public long Fragments { get; internal set; }

    public long Malformed { get; internal set; }

    public long UnsupportedLinkType { get; internal set; }
}
