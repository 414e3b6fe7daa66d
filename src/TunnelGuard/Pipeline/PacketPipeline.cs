using TunnelGuard.Capture;
using TunnelGuard.Classification;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Reporting;
using TunnelGuard.Shape;
using TunnelGuard.Ssh;

namespace TunnelGuard.Pipeline;

/// <summary>
/// The per-packet stages in order: decode, flow table, SSH handshake; ended flows become reports for the sink. One
/// instance is single-threaded and driven by packet time only, so the same packets always give the same reports.
/// </summary>
public sealed class PacketPipeline : IFlowObserver
{
    private readonly FlowTable _table;
    private readonly IConnectionSink? _sink;
    private readonly bool _reportAllFlows;
    private readonly IShapeClassifier _classifier;

    // The shape recorders' event buffers, handed from connections that ended (or outgrew them) to new ones.
    private readonly FreeBuffers<long> _shapeBuffers = new(ShapeRecorder.BufferClasses, maxRetainedBytes: 8 * 1024 * 1024);

    // Set by a sharded replay: gets each report with its place in the order one pipeline over all packets emits them.
    private readonly Action<ReportOrder, ConnectionReport>? _ordered;
    private long _packet;
    private bool _advancing;
    private bool _flushing;
    private int _endedInPacket;

    public PacketPipeline(FlowTableOptions options, IConnectionSink sink, bool reportAllFlows = false, string? source = null, IShapeClassifier? classifier = null)
        : this(options, reportAllFlows, source, classifier)
    {
        _sink = sink;
    }

    /// <summary>One shard of a sharded replay: reports go, with their <see cref="ReportOrder"/>, to <paramref name="ordered"/>.</summary>
    internal PacketPipeline(FlowTableOptions options, Action<ReportOrder, ConnectionReport> ordered, bool reportAllFlows, string? source, IShapeClassifier classifier)
        : this(options, reportAllFlows, source, classifier)
    {
        _ordered = ordered;
    }

    private PacketPipeline(FlowTableOptions options, bool reportAllFlows, string? source, IShapeClassifier? classifier)
    {
        _classifier = classifier ?? new HeuristicClassifier();
        _table = new FlowTable(options, this);
        _reportAllFlows = reportAllFlows;
        Source = source;
    }

    public PipelineCounters Counters { get; } = new();

    /// <summary>Called with a provisional report (<see cref="ConnectionReport.Ongoing"/>) whenever an open connection's verdict changes.</summary>
    public Action<ConnectionReport>? VerdictChanged { get; set; }

    public FlowTable Flows => _table;

    /// <summary>
    /// Whether the last packet's payload bytes went to the SSH handshake parser. Nothing else reads payload bytes (sizes
    /// come from the IP header), so a packet for which this is false could have been captured without them
    /// (<see cref="CaptureSlimmer"/>).
    /// </summary>
    internal bool PayloadParsed { get; private set; }

    /// <summary>
    /// Whether each SSH connection keeps the features of every judgement (<see cref="ConnectionReport.FeatureHistory"/>,
    /// which training and evaluation read); true unless set before the first packet. Without it a report carries only
    /// the latest features, and a replay of many open connections holds less memory.
    /// </summary>
    public bool KeepFeatureHistory { get; set; } = true;

    /// <summary>The capture file or interface name put on every report.</summary>
    public string? Source { get; set; }

    public void Process(in RawPacket raw)
    {
        var result = PacketDecoder.TryDecode(raw.LinkType, raw.Data, out var tcp);
        Process(raw, result, tcp, Counters.Packets);
    }

    /// <summary>
    /// A packet that a sharded replay's reader decoded already, at <paramref name="index"/> in the input. Each shard
    /// counts the packets it is given (the packets that are not TCP go to shard 0), so the counters sum to one pipeline's.
    /// </summary>
    internal void Process(in RawPacket raw, DecodeResult result, in TcpPacket tcp, long index)
    {
        _packet = index;
        PayloadParsed = false;
        Counters.Packets++;
        Counters.Bytes += raw.OriginalLength;
        if (result != DecodeResult.Tcp)
        {
            Count(result);
            return;
        }

        Counters.Tcp++;
        ProcessTcp(raw, tcp);
    }

    /// <summary>
    /// Another shard's TCP packet, at <paramref name="index"/> in the input: moves packet time forward as that packet
    /// would in one pipeline, so that this shard's flows end at the same packet.
    /// </summary>
    internal void Skip(long timestampMicros, long index)
    {
        _packet = index;
        Advance(timestampMicros);
    }

    private void ProcessTcp(in RawPacket raw, in TcpPacket tcp)
    {
        var now = raw.TimestampMicros;
        Advance(now);
        _endedInPacket = 0;
        var flow = _table.Track(tcp, now, out var direction);
        if (flow.Forward.Packets + flow.Reverse.Packets == 1)
        {
            flow.FirstPacket = _packet;
        }

        flow.LastPacket = _packet;
        if (tcp.PayloadLength > 0)
        {
            OnPayload(flow, direction, tcp, raw.Data.Slice(tcp.PayloadOffset, tcp.CapturedPayloadLength), now);
        }
        else if ((tcp.Flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) == 0)
        {
            flow.Classification?.Recorder.OnBareAck(direction, now);
        }
    }

    /// <summary>Moves packet time forward without a packet (a quiet live interface), ending idle flows.</summary>
    public void Advance(long nowMicros)
    {
        _advancing = true;
        try
        {
            _table.Advance(nowMicros);
        }
        finally
        {
            _advancing = false;
        }
    }

    /// <summary>Ends every open flow (end of input or shutdown) so that each is reported.</summary>
    public void Complete()
    {
        _flushing = true;
        _table.Flush();
    }

    void IFlowObserver.OnFlowEnded(Flow flow, FlowEndReason reason)
    {
        flow.Ssh?.EndOfStream();
        if (flow.Ssh is { } ssh)
        {
            flow.Classification?.Finish(flow.LastSeenMicros, ssh, flow.StartSeen, flow.InitiatorPort, flow.ResponderPort, _classifier);
        }

        // Most flows on a network are not SSH: build no report that nobody asked for.
        if (_reportAllFlows || flow.Ssh?.IsSsh == true)
        {
            var report = ConnectionReportBuilder.Build(flow, reason, Source);
            if (_ordered is null)
            {
                _sink!.OnConnection(report);
            }
            else
            {
                _ordered(Order(flow), report);
            }
        }

        // The report holds the features, not the recorded segments: their arrays go back to the pool.
        flow.Classification?.Recorder.Release();
    }

    private void OnPayload(Flow flow, int direction, in TcpPacket tcp, ReadOnlySpan<byte> payload, long now)
    {
        var handshake = flow.Ssh ??= new SshHandshake();
        var side = flow.Direction(direction);

        // Data carried on a SYN (TCP Fast Open) starts one past the SYN's own sequence number.
        var sequence = tcp.Has(TcpFlags.Syn) ? tcp.Sequence + 1 : tcp.Sequence;
        var fresh = side.AdvanceSequence(sequence, tcp.PayloadLength);
        var wasEncrypted = handshake.Direction(direction).State == SshParseState.Encrypted;
        if (!handshake.IsFinished)
        {
            PayloadParsed = !payload.IsEmpty;
            if (!payload.IsEmpty && side.Stream.Add(sequence, payload))
            {
                handshake.Update(direction, side.Stream.Contiguous, side.Stream.IsClosed);
            }

            if (handshake.IsFinished)
            {
                flow.Forward.Stream.Release();
                flow.Reverse.Stream.Release();
            }
        }

        // Shape: the encrypted segments of SSH connections, retransmissions left out.
        if (wasEncrypted && fresh && handshake.IsSsh)
        {
            var classification = flow.Classification ??= new ConnectionClassification(KeepFeatureHistory, _shapeBuffers);
            var changes = classification.Changes.Count;
            classification.OnSegment(now, direction, tcp.PayloadLength, handshake, flow.StartSeen, flow.InitiatorPort, flow.ResponderPort, _classifier);
            if (classification.Changes.Count != changes && VerdictChanged is { } observer)
            {
                // Rare (a few times per connection): the live verdict goes to rules and enforcement before the end.
                observer(ConnectionReportBuilder.Build(flow, FlowEndReason.EndOfInput, Source, ongoing: true));
            }
        }
    }

    /// <summary>Where the ending flow's report falls in one pipeline's output (see <see cref="ReportOrder"/>).</summary>
    private ReportOrder Order(Flow flow)
    {
        if (_flushing)
        {
            // FlowTable.Flush ends the flows in the order they began.
            return new ReportOrder(long.MaxValue, ReportOrder.Flush, flow.FirstPacket);
        }

        if (_advancing)
        {
            // FlowTable.Advance ends closed flows, then those on probation, then idle ones, each list by last touch.
            var phase = flow.List switch
            {
                FlowListKind.Closed => ReportOrder.AdvanceClosed,
                FlowListKind.Probation => ReportOrder.AdvanceProbation,
                _ => ReportOrder.AdvanceActive,
            };
            return new ReportOrder(_packet, phase, flow.LastPacket);
        }

        // Track ends a closed flow whose 4-tuple is reused, then evicts: only the packet's own shard does either.
        return new ReportOrder(_packet, ReportOrder.Track, _endedInPacket++);
    }

    private void Count(DecodeResult result)
    {
        switch (result)
        {
            case DecodeResult.NotIp: Counters.NotIp++; break;
            case DecodeResult.NotTcp: Counters.NotTcp++; break;
            case DecodeResult.Fragment: Counters.Fragments++; break;
            case DecodeResult.UnsupportedLinkType: Counters.UnsupportedLinkType++; break;
            default: Counters.Malformed++; break;
        }
    }
}
