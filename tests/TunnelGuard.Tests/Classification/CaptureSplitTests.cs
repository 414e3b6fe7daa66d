using TunnelGuard.Classification;
using TunnelGuard.Corpus;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Classification;

public sealed class CaptureSplitTests
{
    private static readonly List<CorpusReplay.LabelledConnection> Corpus = CorpusReplay.Run(RepoPaths.Pcaps);

    private static CorpusCapture Capture(string? cipher = null, string? mac = null, string? implementation = null, string? software = null, int? seed = null) =>
        new() { File = "x.pcap", Cipher = cipher, Mac = mac, ClientImplementation = implementation, ClientSoftware = software, Seed = seed };

    [Theory]
    [InlineData("cipher=aes128-ctr", "cipher", "aes128-ctr")]
    [InlineData("Client = sshnet", "client", "sshnet")]
    [InlineData("seed", "seed", null)]
    public void Parse_ReadsKeyAndOptionalValue(string text, string key, string? value)
    {
        var split = CaptureSplit.Parse(text);

        Assert.Equal(key, split.Key);
        Assert.Equal(value, split.Value);
    }

    [Theory]
    [InlineData("colour=red")]
    [InlineData("cipher=")]
    public void Parse_BadKeyOrEmptyValue_IsRejected(string text) =>
        Assert.Throws<FormatException>(() => CaptureSplit.Parse(text));

    [Fact]
    public void Cipher_MatchesWithOrWithoutTheOpenSshSuffix()
    {
        var gcm = Capture(cipher: "aes128-gcm@openssh.com");

        Assert.True(CaptureSplit.Parse("cipher").Matches(gcm, "aes128-gcm"));
        Assert.True(CaptureSplit.Parse("cipher").Matches(gcm, "aes128-gcm@openssh.com"));
        Assert.False(CaptureSplit.Parse("cipher").Matches(Capture(cipher: "aes128-ctr"), "aes128-gcm"));
    }

    [Theory]
    [InlineData(null, "OpenSSH_9.2p1 Debian-2+deb12u10", "openssh")]
    [InlineData(null, "dropbear_2022.83", "dropbear")]
    [InlineData(null, "Renci.SshNet.SshClient.2026.0.0", "sshnet")]
    [InlineData("sshnet", "whatever", "sshnet")]
    public void Client_IsTheLabImplementation_OrTheBannersFamily(string? implementation, string software, string family) =>
        Assert.Equal(family, CaptureSplit.ValueOf(Capture(implementation: implementation, software: software), CaptureSplit.Client));

    [Fact]
    public void Values_WithoutAValue_AreEveryValueOnTheJudgedSide_InOrder()
    {
        var values = CaptureSplit.Parse("client").Values(Corpus.Select(c => c.Capture));

        Assert.Equal(["dropbear", "openssh", "plink", "sshnet"], values);
    }

    [Fact]
    public void LeaveOut_JudgesOnlyTheLeftOutCaptures_AndNeverTrainsOnThem()
    {
        var split = CaptureSplit.Parse("client=dropbear");
        var dropbear = Corpus.Count(c => c.Capture.ClientImplementation == "dropbear");

        var (overall, folds) = ShapeTraining.LeaveOut(Corpus, Corpus, split);

        var fold = Assert.Single(folds);
        Assert.Equal("client=dropbear", fold.LeftOut);
        Assert.Equal(dropbear, fold.Evaluation.Connections);
        Assert.Equal(Corpus.Count - dropbear, fold.TrainedOn);
        Assert.Equal(dropbear, overall.Connections);
    }

    [Fact]
    public void LeaveOut_EachValue_JudgesEveryCaptureThatHasOneOnce()
    {
        var (overall, folds) = ShapeTraining.LeaveOut(Corpus, Corpus, CaptureSplit.Parse("cipher"));

        Assert.Equal(Corpus.Count(c => c.Capture.Cipher is not null), overall.Connections);
        Assert.Equal(folds.Sum(f => f.Evaluation.Connections), overall.Connections);
        Assert.All(folds, f => Assert.True(f.TrainedOn + f.Evaluation.Connections <= Corpus.Count));
    }

    [Fact]
    public void EvalCommand_LeaveOut_PrintsEachFoldAndTheTotal()
    {
        var run = CliRun.Of("eval", "--corpus", RepoPaths.Pcaps, "--leave-out", "client");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("left out client=sshnet: trained on ", run.Out, StringComparison.Ordinal);
        Assert.Contains("left out client=dropbear: trained on ", run.Out, StringComparison.Ordinal);
        Assert.Contains("confusion (rows: truth, columns: verdict)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void EvalCommand_UnknownLeaveOutKey_IsAUsageError()
    {
        var run = CliRun.Of("eval", "--corpus", RepoPaths.Pcaps, "--leave-out", "colour=red");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown key 'colour'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void EvalCommand_ModelWithLeaveOut_IsAUsageError()
    {
        var run = CliRun.Of("eval", "--corpus", RepoPaths.Pcaps, "--model", ShapeModel.DefaultPath, "--leave-out", "client");

        Assert.Equal(2, run.ExitCode);
    }
}
