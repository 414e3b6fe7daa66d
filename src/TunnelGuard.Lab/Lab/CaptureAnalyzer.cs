using TunnelGuard.Capture;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;

namespace TunnelGuard.Lab.Lab;

/// <summary>Reads a capture with the engine's own reader and pipeline: every TCP connection in it, SSH ones with roles, HASSH and algorithms.</summary>
public static class CaptureAnalyzer
{
    public static (IReadOnlyList<ConnectionReport> Connections, int LinkType) Read(string path)
    {
        var sink = new ListSink();
        var pipeline = new PacketPipeline(new FlowTableOptions(), sink, reportAllFlows: true, source: System.IO.Path.GetFileName(path));
        var linkType = -1;
        using (var reader = CaptureFileReader.Open(path))
        {
            while (reader.TryRead(out var packet))
            {
                linkType = linkType < 0 ? packet.LinkType : linkType;
                pipeline.Process(packet);
            }
        }

        pipeline.Complete();
        return (sink.Reports, linkType);
    }

    private sealed class ListSink : IConnectionSink
    {
        public List<ConnectionReport> Reports { get; } = [];

        public void OnConnection(ConnectionReport report) => Reports.Add(report);
    }
}
