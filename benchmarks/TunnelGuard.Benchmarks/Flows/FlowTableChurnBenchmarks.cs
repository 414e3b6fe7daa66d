using BenchmarkDotNet.Attributes;
using TunnelGuard.Benchmarks.Corpus;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;

namespace TunnelGuard.Benchmarks.Flows;

/// <summary>
/// <see cref="FlowTable.Track"/> when every packet opens a new flow in a full table, so each one evicts the oldest:
/// the cost and the allocation of one flow's bookkeeping (a SYN flood or a port scan). One operation is one new flow.
/// </summary>
[MemoryDiagnoser]
public class FlowTableChurnBenchmarks
{
    private const int PacketsPerOp = 4096;

    // Smaller than PacketsPerOp, so each 4-tuple has been evicted by the time it comes round again.
    private const int MaxFlows = 1024;

    private readonly TcpPacket[] _packets = new TcpPacket[PacketsPerOp];
    private FlowTable _table = null!;
    private long _now = 1_700_000_000_000_000;

    [GlobalSetup]
    public void Setup()
    {
        _table = new FlowTable(new FlowTableOptions { MaxFlows = MaxFlows }, new NullSink());
        for (var i = 0; i < PacketsPerOp; i++)
        {
            _packets[i] = FlowTableBenchmarks.FlowPacket(i, toServer: true) with { Flags = TcpFlags.Syn };
        }
    }

    [Benchmark(OperationsPerInvoke = PacketsPerOp)]
    public long TrackNewFlowEvictingOldest()
    {
        var now = _now;
        foreach (ref readonly var packet in _packets.AsSpan())
        {
            _table.Track(packet, now++, out _);
        }

        _now = now;
        return _table.FlowsEvicted;
    }
}
