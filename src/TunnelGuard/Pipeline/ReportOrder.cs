namespace TunnelGuard.Pipeline;

/// <summary>
/// Where a report falls in the output of one pipeline over all packets: by the packet during which its flow ended, then
/// by the step of that packet that ended it, then by the flow's place in that step. A sharded replay tags every report
/// with it and merges the shards' reports by it, so the output does not depend on the number of shards.
/// </summary>
/// <remarks>
/// Keys are unique across shards: <see cref="Position"/> is a packet index that belongs to one flow (the packet that
/// last touched it, or that created it), except in <see cref="Track"/>, which only the packet's own shard reaches.
/// </remarks>
/// <param name="Packet">Index of the packet in the input; <see cref="long.MaxValue"/> for the flush at the end.</param>
/// <param name="Phase">The step, in the order <c>FlowTable</c> runs them.</param>
/// <param name="Position">Order within the step.</param>
internal readonly record struct ReportOrder(long Packet, int Phase, long Position) : IComparable<ReportOrder>
{
    /// <summary>Closed flows whose linger passed (FlowTable.Advance, first loop), by last touch.</summary>
    public const int AdvanceClosed = 0;

    /// <summary>Flows on probation that timed out (second loop), by last touch.</summary>
    public const int AdvanceProbation = 1;

    /// <summary>Idle flows (third loop), by last touch.</summary>
    public const int AdvanceActive = 2;

    /// <summary>Flows that the packet's own tracking ended (a reused 4-tuple, an eviction), in the order it ended them.</summary>
    public const int Track = 3;

    /// <summary>The flush at the end of input, by the packet that created the flow.</summary>
    public const int Flush = 4;

    public int CompareTo(ReportOrder other)
    {
        var packet = Packet.CompareTo(other.Packet);
        if (packet != 0)
        {
            return packet;
        }

        var phase = Phase.CompareTo(other.Phase);
        return phase != 0 ? phase : Position.CompareTo(other.Position);
    }
}
