using TunnelGuard.Classification;
using TunnelGuard.Corpus;
using TunnelGuard.Reporting;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Classification;

/// <summary>
/// The shipped model with the heuristics, as `replay` runs them, on the committed lab captures (seed 1, never trained
/// on): every connection gets the manifest's primary label, and the hard cases the issue names get it for the right
/// reason — a shell inside a tunnel, a shell with a screenful of output, an idle tunnel, a multiplexed connection and
/// the 20 ms chaff imitation.
/// </summary>
public sealed class LabCaptureVerdictTests
{
    private static readonly List<CorpusReplay.LabelledConnection> Lab =
        [.. CorpusReplay.Run(RepoPaths.Pcaps, new ModelClassifier(ShapeModel.Load(ShapeModel.DefaultPath).CreatePredictor()))
            .Where(c => c.Capture.Seed is not null)];

    public static TheoryData<string> LabCaptures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Lab.Select(c => c.Capture.File).Distinct().Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }

        return data;
    }

    private static ConnectionReport Report(string scenario, string? server = null) =>
        Lab.Single(c => c.Capture.Scenario == scenario && (server is null || c.Expected.Server.StartsWith(server, StringComparison.Ordinal))).Report;

    [Fact]
    public void LabCaptures_CoverEverySixLabels()
    {
        Assert.Equal(Labels.Classes.Order(StringComparer.Ordinal), Lab.Select(c => c.Expected.Primary!).Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(LabCaptures))]
    public void Verdict_IsTheManifestsPrimaryLabel_WithEvidence(string file)
    {
        foreach (var connection in Lab.Where(c => c.Capture.File == file))
        {
            var verdict = connection.Report.Verdict;

            Assert.Equal(connection.Expected.Primary, verdict.Label);
            Assert.NotEmpty(verdict.Evidence);
            Assert.NotNull(verdict.DecidedAfterSeconds);
        }
    }

    [Fact]
    public void NestedSession_InsideLocalForward_IsTheTunnel_WithNestedKeystrokes()
    {
        var report = Report("local-nested");

        Assert.Equal(Labels.ForwardLocal, report.Verdict.Label);
        Assert.True(report.FeatureHistory[^1].NestedC2S >= 3, $"{report.FeatureHistory[^1].NestedC2S} nested keystrokes");
        Assert.Contains(report.Verdict.Evidence, e => e.Contains("nested inside this one", StringComparison.Ordinal));
    }

    [Fact]
    public void ReverseShell_TypedFromTheServerSide_IsForwardRemote()
    {
        var report = Report("remote-shell");

        Assert.Equal(Labels.ForwardRemote, report.Verdict.Label);
        Assert.Contains(report.Verdict.Evidence, e => e.Contains("server", StringComparison.Ordinal));
    }

    [Fact]
    public void ProxyJump_OuterConnectionIsTheTunnel_InnerOneTheShell()
    {
        Assert.Equal(Labels.ForwardLocal, Report("proxyjump", "198.18.4.30:").Verdict.Label);
        Assert.Equal(Labels.Interactive, Report("proxyjump", "198.18.4.20:").Verdict.Label);
    }

    [Theory]
    [InlineData("interactive")]
    [InlineData("sshnet-interactive")]
    public void ShellWithAScreenfulOfOutput_StaysInteractive(string scenario)
    {
        var report = Report(scenario);
        var last = report.FeatureHistory[^1];

        // The precondition: output large enough to move in full-size segments, as a download would.
        Assert.True(last.BytesS2C >= 16 * 1024 && last.LargeFractionS2C > 0.1, $"{last.BytesS2C} B, {last.LargeFractionS2C:P0} full-size");
        Assert.Equal(Labels.Interactive, report.Verdict.Label);
        Assert.All(report.VerdictChanges, change => Assert.False(Labels.IsForward(change.Verdict.Label), $"{change.Verdict.Label} after {change.AfterSeconds} s"));
    }

    [Fact]
    public void IdleTunnel_KeptAliveOnly_IsForwardLocal()
    {
        var report = Report("idle-keepalive");

        Assert.True(report.FeatureHistory[^1].BytesC2S < 16 * 1024, "an idle tunnel carries almost nothing");
        Assert.Equal(Labels.ForwardLocal, report.Verdict.Label);
    }

    [Fact]
    public void Multiplexed_ForwardBesideAShell_ReportsTheForwardAsTheVerdict()
    {
        var report = Report("controlmaster");

        Assert.Equal(Labels.ForwardLocal, report.Verdict.Label);
        Assert.Equal(Labels.ForwardLocal, report.Verdict.Labels[0]);
        Assert.True(report.FeatureHistory[^1].KeysC2S >= 3, "the multiplexed shell was typed into");
    }

    [Fact]
    public void ChaffImitation_IsInteractive_AndTheChaffIsNotTyping()
    {
        var report = Report("interactive-obfuscated");
        var last = report.FeatureHistory[^1];

        Assert.Equal(Labels.Interactive, report.Verdict.Label);
        Assert.True(last.Chaff >= 10, $"{last.Chaff} chaff packets");
        Assert.True(last.KeysC2S < last.PacketsC2S / 2, $"{last.KeysC2S} keystrokes of {last.PacketsC2S} client packets");
    }
}
