using TunnelGuard.Corpus;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Classification;

/// <summary>
/// The heuristics on the foundation captures (ssh-*.pcap): every SSH connection whose use the manifest names gets that
/// verdict, with evidence, before the connection ends. (These captures also served to write the heuristics; the
/// held-out evaluation of the shipped model over the lab captures is in ShippedModelTests.)
/// </summary>
public sealed class CorpusVerdictTests
{
    private static readonly CorpusManifest Manifest = CorpusManifest.Load(Path.Combine(RepoPaths.Pcaps, "manifest.json"));

    public static TheoryData<string> LabelledCaptures()
    {
        var data = new TheoryData<string>();
        foreach (var capture in Manifest.Captures.Where(c => c.File.StartsWith("ssh-", StringComparison.Ordinal) && c.Connections.Any(x => x.IsSsh && x.Primary is not null)))
        {
            data.Add(capture.File);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LabelledCaptures))]
    public void Verdict_IsTheManifestsPrimaryLabel_WithEvidence(string file)
    {
        var capture = Manifest.Captures.Single(c => c.File == file);
        var reports = Replayer.Ssh(RepoPaths.Pcap(file));
        foreach (var expected in capture.Connections.Where(c => c.IsSsh && c.Primary is not null))
        {
            var report = reports.Single(r => r.Client.ToString() == expected.Client);

            Assert.Equal(expected.Primary, report.Verdict.Label);
            Assert.NotEmpty(report.Verdict.Evidence);
            Assert.InRange(report.Verdict.Confidence, 0.5, 1.0);
            Assert.NotNull(report.Verdict.DecidedAfterSeconds);
            Assert.Equal(expected.Primary, report.VerdictChanges[^1].Verdict.Label);
        }
    }

    [Fact]
    public void Interactive_IsDecidedWhileTheSessionIsStillOpen()
    {
        var report = Assert.Single(Replayer.Ssh(RepoPaths.Pcap("ssh-interactive-aes128-gcm.pcap")));

        Assert.Equal("interactive", report.Verdict.Label);
        Assert.True(report.Verdict.DecidedAfterSeconds < report.DurationSeconds - 1, $"decided after {report.Verdict.DecidedAfterSeconds} s of a {report.DurationSeconds} s session");
        Assert.Contains(report.Verdict.Evidence, e => e.Contains("typed by the client and echoed by the server", StringComparison.Ordinal));
    }

    [Fact]
    public void Ssh1Connection_HasNoVerdict()
    {
        var report = Assert.Single(Replayer.Ssh(RepoPaths.Pcap("ssh-v1-banner.pcap")));

        Assert.Equal("unknown", report.Verdict.Label);
        Assert.Empty(report.VerdictChanges);
    }
}
