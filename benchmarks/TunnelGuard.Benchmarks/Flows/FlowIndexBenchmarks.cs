using BenchmarkDotNet.Attributes;
using TunnelGuard.Flows;

namespace TunnelGuard.Benchmarks.Flows;

/// <summary>
/// The flow table's index alone: <see cref="FlowIndex.Find"/> against the <c>Dictionary&lt;FlowKey, Flow&gt;</c> it
/// replaced, for keys of <see cref="Flows"/> flows in a random order, in the same run. One operation is one lookup.
/// </summary>
[MemoryDiagnoser]
public class FlowIndexBenchmarks
{
    private const int LookupsPerOp = 4096;

    private readonly FlowKey[] _keys = new FlowKey[LookupsPerOp];
    private readonly FlowIndex _index = new();
    private readonly Dictionary<FlowKey, Flow> _dictionary = [];

    [Params(1_000, 100_000)]
    public int Flows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Flows; i++)
        {
            var packet = FlowTableBenchmarks.FlowPacket(i, toServer: true);
            var key = FlowKey.From(packet);
            var flow = new Flow(i, key, packet.Source, packet.SourcePort, packet.Destination, packet.DestinationPort, startSeen: true, 0, 1024);
            _index.Add(flow);
            _dictionary.Add(key, flow);
        }

        var random = new Random(42);
        for (var i = 0; i < LookupsPerOp; i++)
        {
            _keys[i] = FlowKey.From(FlowTableBenchmarks.FlowPacket(random.Next(Flows), toServer: random.Next(2) == 0));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = LookupsPerOp)]
    public long Dictionary()
    {
        var sum = 0L;
        foreach (ref readonly var key in _keys.AsSpan())
        {
            sum += _dictionary.TryGetValue(key, out var flow) ? flow.Id : 0;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = LookupsPerOp)]
    public long Index()
    {
        var sum = 0L;
        foreach (ref readonly var key in _keys.AsSpan())
        {
            sum += _index.Find(key, out _)?.Id ?? 0;
        }

        return sum;
    }
}
