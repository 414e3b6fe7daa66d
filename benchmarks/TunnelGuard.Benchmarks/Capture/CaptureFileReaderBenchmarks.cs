using BenchmarkDotNet.Attributes;
using TunnelGuard.Benchmarks.Corpus;
using TunnelGuard.Capture;

namespace TunnelGuard.Benchmarks.Capture;

/// <summary>
/// <see cref="CaptureFileReader"/> opening a committed capture and reading every record (the file stays in the page
/// cache after the first run). One operation is one packet, so the per-open cost (the 1 MiB read buffer, the
/// FileStream) is spread over the file's packets.
/// </summary>
[MemoryDiagnoser]
public class CaptureFileReaderBenchmarks
{
    // Packets in the two files read; Setup fails if they change.
    private const int PcapPackets = 427;
    private const int PcapNgPackets = 53;

    private string _pcap = null!;
    private string _pcapNg = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pcap = CorpusFiles.PathOf("ssh-forward-local.pcap");
        _pcapNg = CorpusFiles.PathOf("ssh-sll2-any.pcapng");
        if (ReadAll(_pcap) != PcapPackets || ReadAll(_pcapNg) != PcapNgPackets)
        {
            throw new InvalidOperationException("the committed captures changed: update PcapPackets and PcapNgPackets");
        }
    }

    [Benchmark(OperationsPerInvoke = PcapPackets)]
    public int ReadPcap() => ReadAll(_pcap);

    [Benchmark(OperationsPerInvoke = PcapNgPackets)]
    public int ReadPcapNg() => ReadAll(_pcapNg);

    private static int ReadAll(string path)
    {
        var count = 0;
        using var reader = CaptureFileReader.Open(path);
        while (reader.TryRead(out var packet))
        {
            count += packet.Data.Length > 0 ? 1 : 0;
        }

        return count;
    }
}
