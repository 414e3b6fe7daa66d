using TunnelGuard.Capture;
using TunnelGuard.Classification;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Classification;

/// <summary>
/// The judgement at a connection's end may not take back a tunnel: a -R connection cut off by a block (its last
/// packets only retransmissions) still ends as forward-remote. Other verdicts follow the last judgement as before.
/// </summary>
public sealed class FinalVerdictTests
{
    [Fact]
    public void TunnelVerdict_IsKept_WhenTheFinalJudgementIsLessDangerous()
    {
        var report = Replay("remote-shell-aes128gcm-openssh-s1.pcap", new EndsAs(Labels.ForwardLocal));

        Assert.Equal(Labels.ForwardRemote, report.Verdict.Label);
        Assert.Contains(Labels.ForwardLocal, report.Verdict.Labels);
        Assert.Contains(report.Verdict.Evidence, e => e.Contains("at the end judged forward-local", StringComparison.Ordinal));
    }

    [Fact]
    public void NonTunnelVerdict_FollowsTheFinalJudgement()
    {
        var report = Replay("exec-aes128gcm-openssh-s1.pcap", new EndsAs(Labels.FileTransfer));

        Assert.Equal(Labels.FileTransfer, report.Verdict.Label);
    }

    private static ConnectionReport Replay(string capture, IShapeClassifier classifier)
    {
        var sink = new ListSink();
        var pipeline = new PacketPipeline(new FlowTableOptions(), sink, reportAllFlows: false, capture, classifier);
        using (var reader = CaptureFileReader.Open(RepoPaths.Pcap(capture)))
        {
            while (reader.TryRead(out var packet))
            {
                pipeline.Process(packet);
            }
        }

        pipeline.Complete();
        return Assert.Single(sink.Reports);
    }

    /// <summary>The shipped classifier while the connection is open; a fixed label for the judgement at its end.</summary>
    private sealed class EndsAs(string finalLabel) : IShapeClassifier
    {
        private readonly IShapeClassifier _real = new ModelClassifier(ShapeModel.Load(ShapeModel.DefaultPath).CreatePredictor());

        public Verdict? Classify(ShapeFeatures features, bool final) =>
            final ? new Verdict(finalLabel, 0.9, ["test: forced at the end"], [finalLabel], null) : _real.Classify(features, final);
    }
}
