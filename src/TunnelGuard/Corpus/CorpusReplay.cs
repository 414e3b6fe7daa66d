using TunnelGuard.Capture;
using TunnelGuard.Classification;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;

namespace TunnelGuard.Corpus;

/// <summary>Replays every capture a corpus manifest lists and pairs each labelled SSH connection with its report.</summary>
public static class CorpusReplay
{
    /// <summary>One labelled connection: where it came from, what the manifest says, and what the pipeline reported.</summary>
    public sealed record LabelledConnection(string CorpusDirectory, CorpusCapture Capture, CorpusConnection Expected, ConnectionReport Report)
    {
        /// <summary>Held-out splits group by this: every connection of one capture stays on one side.</summary>
        public string Group => Path.Combine(CorpusDirectory, Capture.File);
    }

    /// <summary>
    /// Reads DIR/manifest.json and replays its captures with <paramref name="classifier"/>; with
    /// <paramref name="jitterSeed"/>, each capture's packet times are first moved as a live replay moves them
    /// (<see cref="TimingJitter"/>, seeded by <paramref name="jitterSeed"/> and the capture's place in the manifest).
    /// </summary>
    public static List<LabelledConnection> Run(string directory, IShapeClassifier? classifier = null, Action<string>? progress = null, int? jitterSeed = null)
    {
        var manifestPath = Path.Combine(directory, "manifest.json");
        var manifest = CorpusManifest.Load(manifestPath);
        var result = new List<LabelledConnection>();
        for (var i = 0; i < manifest.Captures.Count; i++)
        {
            var capture = manifest.Captures[i];
            progress?.Invoke(capture.File);
            var path = Path.Combine(directory, capture.File);
            var reports = Replay(path, classifier, jitterSeed is { } seed ? new TimingJitter(unchecked((seed * 7919) + i)) : null);
            foreach (var expected in capture.Connections.Where(c => c.IsSsh && c.Primary is not null))
            {
                var report = reports.FirstOrDefault(r => r.Client.ToString() == expected.Client && r.Server.ToString() == expected.Server);
                if (report is not null)
                {
                    result.Add(new LabelledConnection(directory, capture, expected, report));
                }
            }
        }

        return result;
    }

    private static List<ConnectionReport> Replay(string path, IShapeClassifier? classifier, TimingJitter? jitter)
    {
        var sink = new Collector();
        var pipeline = new PacketPipeline(new FlowTableOptions(), sink, reportAllFlows: false, Path.GetFileName(path), classifier);
        using (var reader = CaptureFileReader.Open(path))
        {
            while (reader.TryRead(out var packet))
            {
                pipeline.Process(jitter is null ? packet : new RawPacket(packet.LinkType, jitter.Next(packet.TimestampMicros), packet.Data, packet.OriginalLength));
            }
        }

        pipeline.Complete();
        return sink.Reports;
    }

    private sealed class Collector : IConnectionSink
    {
        public List<ConnectionReport> Reports { get; } = [];

        public void OnConnection(ConnectionReport report) => Reports.Add(report);
    }
}
