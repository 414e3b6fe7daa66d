using TunnelGuard.Capture;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;

namespace TunnelGuard.Tests.Support;

/// <summary>Runs a capture through the real pipeline and collects the reports.</summary>
internal static class Replayer
{
    public static List<ConnectionReport> Run(string path, bool allFlows = true, FlowTableOptions? options = null)
    {
        var sink = new ListSink();
        var pipeline = new PacketPipeline(options ?? new FlowTableOptions(), sink, allFlows, Path.GetFileName(path));
        using (var reader = CaptureFileReader.Open(path))
        {
            while (reader.TryRead(out var packet))
            {
                pipeline.Process(packet);
            }
        }

        pipeline.Complete();
        return sink.Reports;
    }

    public static List<ConnectionReport> Ssh(string path) => [.. Run(path).Where(r => r.IsSsh)];
}
