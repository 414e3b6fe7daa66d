using BenchmarkDotNet.Attributes;
using TunnelGuard.Benchmarks.Corpus;
using TunnelGuard.Capture;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;

namespace TunnelGuard.Benchmarks.Reporting;

/// <summary>
/// Writing reports as JSON lines (<see cref="ConnectionJsonWriter"/>), as replay does into a file: the reports of every
/// committed capture (SSH connections with their handshake, verdict and shape, and the other TCP flows), made once by
/// the pipeline, written to a <see cref="Utf8StreamWriter"/> over <see cref="Stream.Null"/>. One operation is one report.
/// </summary>
[MemoryDiagnoser]
public class ConnectionJsonWriterBenchmarks
{
    private ConnectionReport[] _reports = null!;
    private ConnectionJsonWriter _writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var sink = new ListSink();
        foreach (var path in CorpusFiles.All())
        {
            var pipeline = new PacketPipeline(new FlowTableOptions(), sink, reportAllFlows: true, source: Path.GetFileName(path));
            foreach (var frame in CorpusFiles.Load(path))
            {
                pipeline.Process(new RawPacket(frame.LinkType, frame.TimestampMicros, frame.Data, frame.OriginalLength));
            }

            pipeline.Complete();
        }

        _reports = [.. sink.Reports];
        _writer = new ConnectionJsonWriter(new Utf8StreamWriter(Stream.Null, ownsStream: false));
    }

    [GlobalCleanup]
    public void Cleanup() => _writer.Dispose();

    [Benchmark(OperationsPerInvoke = 200)]
    public void WriteReports()
    {
        // 200 per invocation, cycling through the set: the per-report time does not depend on the corpus size.
        for (var i = 0; i < 200; i++)
        {
            _writer.OnConnection(_reports[i % _reports.Length]);
        }
    }

    private sealed class ListSink : IConnectionSink
    {
        public List<ConnectionReport> Reports { get; } = [];

        public void OnConnection(ConnectionReport report) => Reports.Add(report);
    }
}
