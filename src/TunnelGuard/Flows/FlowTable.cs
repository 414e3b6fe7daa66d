using TunnelGuard.Decoding;

namespace TunnelGuard.Flows;

/// <summary>
/// Bidirectional TCP flows keyed by 4-tuple, bounded in count. Time is packet time: <see cref="Advance"/> ends idle
/// and closed flows as the capture's clock moves, so a replay gives the same result at any speed. A new flow is on
/// probation until it carries data, so that a flood of SYNs or empty connections cannot push real connections out:
/// when the table is full the oldest closed flow goes first, then the oldest on probation, then the oldest idle one.
/// </summary>
public sealed class FlowTable
{
    private readonly FlowIndex _flows = new();
    private readonly FlowList _probation = new();
    private readonly FlowList _active = new();
    private readonly FlowList _closed = new();
    private readonly IFlowObserver _observer;
    private readonly int _maxFlows;
    private readonly long _idleMicros;
    private readonly long _lingerMicros;
    private readonly long _probationMicros;
    private readonly int _prefixCap;
    private readonly StreamBufferPool _buffers = new();
    private long _nextId;

    public FlowTable(FlowTableOptions options, IFlowObserver observer)
    {
        options.Validate();
        _maxFlows = options.MaxFlows;
        _idleMicros = (long)options.IdleTimeout.TotalMicroseconds;
        _lingerMicros = (long)options.ClosedLinger.TotalMicroseconds;
        _probationMicros = (long)options.ProbationTimeout.TotalMicroseconds;
        _prefixCap = options.StreamPrefixBytes;
        _observer = observer;
    }

    public int Count => _flows.Count;

    public long FlowsCreated => _nextId;

    public long FlowsEvicted { get; private set; }

    public long FlowsExpired { get; private set; }

    /// <summary>Finds or creates the packet's flow, updates its counters and returns the packet's direction in it.</summary>
    public Flow Track(in TcpPacket packet, long now, out int direction)
    {
        var key = FlowKey.From(packet);
        var syn = packet.Has(TcpFlags.Syn);
        var ack = packet.Has(TcpFlags.Ack);
        var flow = _flows.Find(key, out var hash);
        if (flow is not null && flow.IsClosed && syn && !ack)
        {
            // A new connection on a 4-tuple whose previous connection has closed.
            End(flow, FlowEndReason.Closed);
            flow = null;
        }

        if (flow is null)
        {
            if (_flows.Count >= _maxFlows)
            {
                var victim = _closed.Head ?? _probation.Head ?? _active.Head;
                if (victim is not null)
                {
                    FlowsEvicted++;
                    End(victim, FlowEndReason.Evicted);
                }
            }

            flow = syn && ack
                ? new Flow(_nextId++, key, packet.Destination, packet.DestinationPort, packet.Source, packet.SourcePort, startSeen: true, now, _prefixCap, _buffers)
                : new Flow(_nextId++, key, packet.Source, packet.SourcePort, packet.Destination, packet.DestinationPort, startSeen: syn, now, _prefixCap, _buffers);
            _flows.Add(flow, hash);
            _probation.AddLast(flow);
            flow.List = FlowListKind.Probation;
        }

        direction = flow.DirectionOf(packet);
        var side = flow.Direction(direction);
        side.Packets++;
        side.PayloadBytes += packet.PayloadLength;
        if (now > flow.LastSeenMicros)
        {
            flow.LastSeenMicros = now;
        }

        if (syn)
        {
            side.Stream.OnSyn(packet.Sequence);
        }

        if (packet.Has(TcpFlags.Fin))
        {
            side.FinSeen = true;
        }

        if (packet.Has(TcpFlags.Rst))
        {
            flow.RstSeen = true;
        }

        var target = flow.IsClosed ? FlowListKind.Closed
            : flow.List == FlowListKind.Probation && packet.PayloadLength == 0 ? FlowListKind.Probation
            : FlowListKind.Active;
        if (target == flow.List)
        {
            ListOf(target).MoveToEnd(flow);
        }
        else
        {
            ListOf(flow.List).Remove(flow);
            ListOf(target).AddLast(flow);
            flow.List = target;
        }

        return flow;
    }

    /// <summary>Ends the flows whose idle timeout or closed linger has passed by packet time <paramref name="now"/>.</summary>
    public void Advance(long now)
    {
        while (_closed.Head is { } closed && now - closed.LastSeenMicros > _lingerMicros)
        {
            End(closed, FlowEndReason.Closed);
        }

        while (_probation.Head is { } unproven && now - unproven.LastSeenMicros > _probationMicros)
        {
            FlowsExpired++;
            End(unproven, FlowEndReason.Idle);
        }

        while (_active.Head is { } idle && now - idle.LastSeenMicros > _idleMicros)
        {
            FlowsExpired++;
            End(idle, FlowEndReason.Idle);
        }
    }

    /// <summary>Ends every remaining flow, in the order the flows began.</summary>
    public void Flush()
    {
        var remaining = new List<Flow>(_flows.Count);
        _flows.CopyTo(remaining);
        remaining.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        foreach (var flow in remaining)
        {
            End(flow, flow.IsClosed ? FlowEndReason.Closed : FlowEndReason.EndOfInput);
        }
    }

    private FlowList ListOf(FlowListKind kind) => kind switch
    {
        FlowListKind.Probation => _probation,
        FlowListKind.Closed => _closed,
        _ => _active,
    };

    private void End(Flow flow, FlowEndReason reason)
    {
        ListOf(flow.List).Remove(flow);
        _flows.Remove(flow);
        try
        {
            _observer.OnFlowEnded(flow, reason);
        }
        finally
        {
            flow.Forward.Stream.Release();
            flow.Reverse.Stream.Release();
        }
    }
}
