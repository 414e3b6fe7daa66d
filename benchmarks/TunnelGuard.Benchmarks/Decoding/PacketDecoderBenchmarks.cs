using BenchmarkDotNet.Attributes;
using TunnelGuard.Benchmarks.Corpus;
using TunnelGuard.Decoding;

namespace TunnelGuard.Benchmarks.Decoding;

/// <summary>
/// <see cref="PacketDecoder.TryDecode"/> on real frames of each encapsulation the corpus has. One operation is one
/// frame: each invocation decodes the first <see cref="FramesPerOp"/> TCP frames of a capture, so branch history is
/// that of a real packet mix (SYNs, ACKs, data) rather than one frame repeated.
/// </summary>
[MemoryDiagnoser]
public class PacketDecoderBenchmarks
{
    private const int FramesPerOp = 32;

    private Frames _ethernetIpv4 = null!;
    private Frames _vlan = null!;
    private Frames _qinq = null!;
    private Frames _sll2 = null!;
    private Frames _ipv6 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ethernetIpv4 = Frames.Load("ssh-exec-chacha20.pcap");
        _vlan = Frames.Load("ssh-vlan.pcap");
        _qinq = Frames.Load("ssh-qinq.pcap");
        _sll2 = Frames.Load("ssh-sll2-any.pcapng");
        _ipv6 = Frames.Load("ssh-ipv6-loopback.pcap");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = FramesPerOp)]
    public long EthernetIpv4Tcp() => _ethernetIpv4.DecodeAll();

    [Benchmark(OperationsPerInvoke = FramesPerOp)]
    public long Vlan8021Q() => _vlan.DecodeAll();

    [Benchmark(OperationsPerInvoke = FramesPerOp)]
    public long QinQ8021ad() => _qinq.DecodeAll();

    [Benchmark(OperationsPerInvoke = FramesPerOp)]
    public long LinuxSll2() => _sll2.DecodeAll();

    [Benchmark(OperationsPerInvoke = FramesPerOp)]
    public long EthernetIpv6Tcp() => _ipv6.DecodeAll();

    private sealed class Frames(int linkType, byte[][] data)
    {
        public static Frames Load(string file)
        {
            var all = CorpusFiles.Load(CorpusFiles.PathOf(file));
            var tcp = all.Where(f => PacketDecoder.TryDecode(f.LinkType, f.Data, out _) == DecodeResult.Tcp).Take(FramesPerOp).ToArray();
            if (tcp.Length != FramesPerOp || tcp.Any(f => f.LinkType != tcp[0].LinkType))
            {
                throw new InvalidOperationException($"{file}: expected {FramesPerOp} TCP frames of one link type, found {tcp.Length}");
            }

            return new Frames(tcp[0].LinkType, [.. tcp.Select(f => f.Data)]);
        }

        public long DecodeAll()
        {
            long sum = 0;
            foreach (var frame in data)
            {
                // Use the result so the JIT cannot drop the call.
                if (PacketDecoder.TryDecode(linkType, frame, out var packet) == DecodeResult.Tcp)
                {
                    sum += packet.PayloadLength + packet.SourcePort;
                }
            }

            return sum;
        }
    }
}
