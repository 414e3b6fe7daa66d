using BenchmarkDotNet.Attributes;
using TunnelGuard.Benchmarks.Corpus;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;

namespace TunnelGuard.Benchmarks.Flows;

/// <summary>
/// <see cref="FlowTable.Track"/> in steady state: every packet belongs to one of <see cref="Flows"/> established flows,
/// in a random order and both directions, as on a busy link. One operation is one packet.
/// </summary>
[MemoryDiagnoser]
public class FlowTableBenchmarks
{
    private const int PacketsPerOp = 4096;

    private readonly TcpPacket[] _packets = new TcpPacket[PacketsPerOp];
    private FlowTable _table = null!;
    private long _now;

    [Params(1_000, 100_000)]
    public int Flows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _table = new FlowTable(new FlowTableOptions { MaxFlows = 262_144 }, new NullSink());
        var random = new Random(42);
        _now = 1_700_000_000_000_000;
        for (var i = 0; i < Flows; i++)
        {
            var syn = FlowPacket(i, toServer: true) with { Flags = TcpFlags.Syn };
            _table.Track(syn, _now++, out _);
        }

        for (var i = 0; i < PacketsPerOp; i++)
        {
            _packets[i] = FlowPacket(random.Next(Flows), toServer: random.Next(2) == 0);
        }

        if (_table.Count != Flows)
        {
            throw new InvalidOperationException($"expected {Flows} flows, table has {_table.Count}");
        }
    }

    [Benchmark(OperationsPerInvoke = PacketsPerOp)]
    public int Track()
    {
        var sum = 0;
        var now = _now;
        foreach (ref readonly var packet in _packets.AsSpan())
        {
            _table.Track(packet, now++, out var direction);
            sum += direction;
        }

        _now = now;
        return sum;
    }

    /// <summary>What the pipeline does per TCP packet: expire by packet time, then track.</summary>
    [Benchmark(OperationsPerInvoke = PacketsPerOp)]
    public int AdvanceAndTrack()
    {
        var sum = 0;
        var now = _now;
        foreach (ref readonly var packet in _packets.AsSpan())
        {
            _table.Advance(now);
            _table.Track(packet, now++, out var direction);
            sum += direction;
        }

        _now = now;
        return sum;
    }

    /// <summary>An ACK with data between client 10.a.b.c:port and server 192.0.2.x:22 for flow number <paramref name="flow"/>.</summary>
    internal static TcpPacket FlowPacket(int flow, bool toServer)
    {
        var client = IpAddress.FromV4([10, (byte)(flow >> 16), (byte)(flow >> 8), (byte)flow]);
        var server = IpAddress.FromV4([192, 0, 2, (byte)(flow % 7)]);
        var clientPort = (ushort)(32_768 + (flow % 28_000));
        return toServer
            ? new TcpPacket(client, server, clientPort, 22, 1000, 2000, TcpFlags.Ack | TcpFlags.Psh, 501, 66, 36, 36, 4, 0)
            : new TcpPacket(server, client, 22, clientPort, 2000, 1036, TcpFlags.Ack | TcpFlags.Psh, 501, 66, 36, 36, 4, 0);
    }
}
