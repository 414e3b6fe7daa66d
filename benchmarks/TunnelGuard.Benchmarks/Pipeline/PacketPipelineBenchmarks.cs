using BenchmarkDotNet.Attributes;
using TunnelGuard.Benchmarks.Corpus;
using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;

namespace TunnelGuard.Benchmarks.Pipeline;

/// <summary>
/// The whole <see cref="PacketPipeline"/> (decode, flow table, reassembly, SSH handshake, reports) over the packets of
/// the committed captures held in memory, so no file I/O is measured. One operation is one packet.
/// </summary>
[MemoryDiagnoser]
public class PacketPipelineBenchmarks
{
    // Packets in pcaps/ (all files); Setup fails if the corpus changes, so the per-packet figures stay true.
    private const int CorpusPackets = 12_501;

    // Data packets of established flows replayed per operation of the steady-state benchmark.
    private const int SteadyPacketsPerOp = 4096;

    private CorpusFrame[][] _files = null!;
    private string[] _names = null!;
    private PacketPipeline _steady = null!;
    private CorpusFrame[] _steadyFrames = null!;

    [GlobalSetup]
    public void Setup()
    {
        var paths = CorpusFiles.All();
        _names = [.. paths.Select(Path.GetFileName).Select(n => n!)];
        _files = [.. paths.Select(p => CorpusFiles.Load(p).ToArray())];
        var count = _files.Sum(f => f.Length);
        if (count != CorpusPackets)
        {
            throw new InvalidOperationException($"pcaps/ now holds {count} packets: set CorpusPackets to it");
        }

        // Steady state: the handshakes of ssh-forward-local are done, then only its mid-connection data packets are
        // replayed (no SYN, FIN or RST, so no flow opens or closes): the path nearly every packet of a long session takes.
        var forward = CorpusFiles.Load(CorpusFiles.PathOf("ssh-forward-local.pcap"));
        _steady = new PacketPipeline(new FlowTableOptions(), new NullSink(), source: "steady");
        var data = new List<CorpusFrame>();
        foreach (var frame in forward)
        {
            Process(_steady, frame);
            if (PacketDecoder.TryDecode(frame.LinkType, frame.Data, out var tcp) == DecodeResult.Tcp
                && (tcp.Flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) == 0)
            {
                data.Add(frame);
            }
        }

        _steadyFrames = [.. Enumerable.Range(0, SteadyPacketsPerOp).Select(i => data[i % data.Count])];
    }

    /// <summary>What `tunnelguard replay pcaps/` does minus the output: one pipeline per file, flushed at its end.</summary>
    [Benchmark(OperationsPerInvoke = CorpusPackets)]
    public int ReplayCorpus()
    {
        var sink = new NullSink();
        for (var i = 0; i < _files.Length; i++)
        {
            var pipeline = new PacketPipeline(new FlowTableOptions(), sink, source: _names[i]);
            foreach (var frame in _files[i])
            {
                Process(pipeline, frame);
            }

            pipeline.Complete();
        }

        return sink.Reports;
    }

    /// <summary>Decode + advance + track + payload stage for packets of flows whose handshake is finished.</summary>
    [Benchmark(OperationsPerInvoke = SteadyPacketsPerOp)]
    public long ProcessEstablishedFlows()
    {
        foreach (var frame in _steadyFrames)
        {
            Process(_steady, frame);
        }

        return _steady.Counters.Tcp;
    }

    private static void Process(PacketPipeline pipeline, CorpusFrame frame) =>
        pipeline.Process(new RawPacket(frame.LinkType, frame.TimestampMicros, frame.Data, frame.OriginalLength));
}
