using TunnelGuard.Capture;
using TunnelGuard.Classification;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;

namespace TunnelGuard.Tests.Support;

/// <summary>Runs a capture through the real pipeline and collects the reports.</summary>
internal static class Replayer
{
    /// <summary>Replays PATH; <c>retime</c> gives each packet a new time from its time in the file.</summary>
    public static List<ConnectionReport> Run(string path, bool allFlows = true, FlowTableOptions? options = null, IShapeClassifier? classifier = null, Func<long, long>? retime = null)
    {
        var sink = new ListSink();
        var pipeline = new PacketPipeline(options ?? new FlowTableOptions(), sink, allFlows, Path.GetFileName(path), classifier);
        using (var reader = CaptureFileReader.Open(path))
        {
            while (reader.TryRead(out var packet))
            {
                pipeline.Process(retime is null ? packet : new RawPacket(packet.LinkType, retime(packet.TimestampMicros), packet.Data, packet.OriginalLength));
            }
        }

        pipeline.Complete();
        return sink.Reports;
    }

    public static List<ConnectionReport> Ssh(string path) => [.. Run(path).Where(r => r.IsSsh)];
}
