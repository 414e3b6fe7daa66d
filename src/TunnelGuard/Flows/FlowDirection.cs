namespace TunnelGuard.Flows;

/// <summary>Counters and the reassembled stream prefix of one direction of a flow.</summary>
public sealed class FlowDirection
{
    public FlowDirection(int prefixCap, StreamBufferPool? buffers = null) => Stream = new StreamPrefix(prefixCap, buffers);

    public long Packets { get; internal set; }

    /// <summary>TCP payload bytes, as the IP headers state them (true sizes even in snaplen-truncated captures).</summary>
    public long PayloadBytes { get; internal set; }

    public bool FinSeen { get; internal set; }

    /// <summary>Data segments that carried no byte beyond what this direction had already sent.</summary>
    public long Retransmissions { get; private set; }

    private uint _nextSequence;
    private bool _hasSequence;

    /// <summary>Notes a data segment; false when it is a retransmission (RFC 9293 §3.4 sequence comparison).</summary>
    public bool AdvanceSequence(uint sequence, int length)
    {
        var end = sequence + (uint)length;
        if (_hasSequence && (int)(end - _nextSequence) <= 0)
        {
            Retransmissions++;
            return false;
        }

        _nextSequence = end;
        _hasSequence = true;
        return true;
    }

    public StreamPrefix Stream { get; }
}
