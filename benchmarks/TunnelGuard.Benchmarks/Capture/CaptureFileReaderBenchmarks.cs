using BenchmarkDotNet.Attributes;
using TunnelGuard.Benchmarks.Corpus;
using TunnelGuard.Capture;

namespace TunnelGuard.Benchmarks.Capture;

/// <summary>
/// <see cref="CaptureFileReader"/> opening a capture file and reading every record (files stay in the page cache after
/// the first run). One operation is one packet. The committed files are small, so for them the per-open cost (the
/// 1 MiB read buffer, the FileStream) dominates; <see cref="ReadLargePcap"/> reads a temporary file made of the
/// records of ssh-forward-local.pcap repeated, which shows the per-packet cost of a long capture.
/// </summary>
[MemoryDiagnoser]
public class CaptureFileReaderBenchmarks
{
    // Packets in the two committed files read; Setup fails if they change.
    private const int PcapPackets = 427;
    private const int PcapNgPackets = 53;

    private const int LargeCopies = 64;
    private const int LargePackets = PcapPackets * LargeCopies;

    // Classic pcap: 24-byte file header, then records.
    private const int PcapFileHeaderLength = 24;

    private string _pcap = null!;
    private string _pcapNg = null!;
    private string _large = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pcap = CorpusFiles.PathOf("ssh-forward-local.pcap");
        _pcapNg = CorpusFiles.PathOf("ssh-sll2-any.pcapng");
        var bytes = File.ReadAllBytes(_pcap);
        _large = Path.Combine(Path.GetTempPath(), $"tunnelguard-bench-{Environment.ProcessId}.pcap");
        using (var large = File.Create(_large))
        {
            large.Write(bytes);
            for (var i = 1; i < LargeCopies; i++)
            {
                large.Write(bytes.AsSpan(PcapFileHeaderLength));
            }
        }

        if (ReadAll(_pcap) != PcapPackets || ReadAll(_pcapNg) != PcapNgPackets || ReadAll(_large) != LargePackets)
        {
            throw new InvalidOperationException("the committed captures changed: update PcapPackets and PcapNgPackets");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_large);

    [Benchmark(OperationsPerInvoke = PcapPackets)]
    public int ReadPcap() => ReadAll(_pcap);

    [Benchmark(OperationsPerInvoke = PcapNgPackets)]
    public int ReadPcapNg() => ReadAll(_pcapNg);

    [Benchmark(OperationsPerInvoke = LargePackets)]
    public int ReadLargePcap() => ReadAll(_large);

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
