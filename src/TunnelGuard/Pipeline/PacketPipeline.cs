using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Reporting;
using TunnelGuard.Ssh;

namespace TunnelGuard.Pipeline;

/// <summary>
/// The per-packet stages in order: decode, flow table, SSH handshake; ended flows become reports for the sink. One
/// instance is single-threaded and driven by packet time only, so the same packets always give the same reports.
/// </summary>
public sealed class PacketPipeline : IFlowObserver
{
    private readonly FlowTable _table;
    private readonly IConnectionSink _sink;
    private readonly bool _reportAllFlows;

    public PacketPipeline(FlowTableOptions options, IConnectionSink sink, bool reportAllFlows = false, string? source = null)
    {
        _table = new FlowTable(options, this);
        _sink = sink;
        _reportAllFlows = reportAllFlows;
        Source = source;
    }

    public PipelineCounters Counters { get; } = new();

    public FlowTable Flows => _table;

    /// <summary>The capture file or interface name put on every report.</summary>
    public string? Source { get; set; }

    public void Process(in RawPacket raw)
    {
        Counters.Packets++;
        Counters.Bytes += raw.OriginalLength;
        var result = PacketDecoder.TryDecode(raw.LinkType, raw.Data, out var tcp);
        if (result != DecodeResult.Tcp)
        {
            Count(result);
            return;
        }

        Counters.Tcp++;
        var now = raw.TimestampMicros;
        _table.Advance(now);
        var flow = _table.Track(tcp, now, out var direction);
        if (tcp.CapturedPayloadLength > 0)
        {
            OnPayload(flow, direction, tcp, raw.Data.Slice(tcp.PayloadOffset, tcp.CapturedPayloadLength));
        }
    }

    /// <summary>Moves packet time forward without a packet (a quiet live interface), ending idle flows.</summary>
    public void Advance(long nowMicros) => _table.Advance(nowMicros);

    /// <summary>Ends every open flow (end of input or shutdown) so that each is reported.</summary>
    public void Complete() => _table.Flush();

    void IFlowObserver.OnFlowEnded(Flow flow, FlowEndReason reason)
    {
        flow.Ssh?.EndOfStream();
        var report = ConnectionReportBuilder.Build(flow, reason, Source);
        if (report.IsSsh || _reportAllFlows)
        {
            _sink.OnConnection(report);
        }
    }

    private static void OnPayload(Flow flow, int direction, in TcpPacket tcp, ReadOnlySpan<byte> payload)
    {
        var handshake = flow.Ssh ??= new SshHandshake();
        if (handshake.IsFinished)
        {
            return;
        }

        var stream = flow.Direction(direction).Stream;

        // Data carried on a SYN (TCP Fast Open) starts one past the SYN's own sequence number.
        var sequence = tcp.Has(TcpFlags.Syn) ? tcp.Sequence + 1 : tcp.Sequence;
        if (stream.Add(sequence, payload))
        {
            handshake.Update(direction, stream.Contiguous, stream.IsClosed);
        }

        if (handshake.IsFinished)
        {
            flow.Forward.Stream.Release();
            flow.Reverse.Stream.Release();
        }
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
