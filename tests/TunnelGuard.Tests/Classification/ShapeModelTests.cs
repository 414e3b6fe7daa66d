using TunnelGuard.Classification;
using TunnelGuard.Corpus;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Classification;

public sealed class ShapeModelTests
{
    // The foundation captures: small, and the heuristics were written on them.
    private static readonly List<CorpusReplay.LabelledConnection> Corpus =
        [.. CorpusReplay.Run(RepoPaths.Pcaps).Where(c => c.Capture.File.StartsWith("ssh-", StringComparison.Ordinal))];

    [Fact]
    public void FeatureNames_MatchTheVector()
    {
        var features = Corpus[0].Report.FeatureHistory[0];

        Assert.Equal(ShapeSample.FeatureCount, features.ToVector().Length);
        Assert.Equal(ShapeSample.FeatureCount, ShapeFeatures.Names.Length);
    }

    [Fact]
    public void Training_IsDeterministic_AcrossSaveAndLoad()
    {
        using var dir = new TempDirectory();
        var samples = ShapeTraining.Samples(Corpus);
        ShapeModel.Train(samples, seed: 7).Save(dir.File("a.zip"));
        ShapeModel.Train(samples, seed: 7).Save(dir.File("b.zip"));

        var a = ShapeModel.Load(dir.File("a.zip")).CreatePredictor();
        var b = ShapeModel.Load(dir.File("b.zip")).CreatePredictor();

        foreach (var sample in samples)
        {
            Assert.Equal(a.Predict(sample.Features), b.Predict(sample.Features));
        }
    }

    [Fact]
    public void Training_TheSameRowsTwice_WritesTheSameBytes()
    {
        using var dir = new TempDirectory();
        var samples = ShapeTraining.Samples(Corpus);
        ShapeModel.Train(samples).Save(dir.File("a.zip"));
        Thread.Sleep(2100); // zip times have a two-second resolution: a time stamp would differ
        ShapeModel.Train(samples).Save(dir.File("b.zip"));

        Assert.Equal(File.ReadAllBytes(dir.File("a.zip")), File.ReadAllBytes(dir.File("b.zip")));
    }

    [Fact]
    public void Model_LearnsTheRowsItWasTrainedOn()
    {
        var samples = ShapeTraining.Samples(Corpus);
        var predictor = ShapeModel.Train(samples).CreatePredictor();

        var right = samples.Count(s => predictor.Predict(s.Features).Label == s.Label);

        Assert.True(right >= samples.Count * 0.9, $"{right} of {samples.Count} training rows predicted right");
        Assert.Equal(samples.Select(s => s.Label).Distinct().Order(StringComparer.Ordinal), predictor.Classes);
    }

    [Fact]
    public void Load_NotAModel_NamesTheFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("broken.zip");
        File.WriteAllText(path, "not a zip");

        var error = Assert.Throws<InvalidDataException>(() => ShapeModel.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainAndEvalCommands_WriteAModelAndScoreIt()
    {
        using var dir = new TempDirectory();
        var model = dir.File("model.zip");

        var train = CliRun.Of("train", "--corpus", RepoPaths.Pcaps, "--out", model);
        var eval = CliRun.Of("eval", "--corpus", RepoPaths.Pcaps, "--model", model);
        var replay = CliRun.Of("replay", RepoPaths.Pcap("remote-bulk-aes128ctr-hmac-openssh-s1.pcap"), "--model", model);

        Assert.Equal(0, train.ExitCode);
        Assert.True(File.Exists(model));
        Assert.Equal(0, eval.ExitCode);
        Assert.Contains("macro-F1", eval.Out, StringComparison.Ordinal);
        Assert.Contains("confusion (rows: truth, columns: verdict)", eval.Out, StringComparison.Ordinal);
        Assert.Contains("shape model: forward-remote", replay.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_MissingCorpus_ExitsThree()
    {
        var run = CliRun.Of("train", "--corpus", "/nonexistent/corpus", "--out", "/tmp/never.zip");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("/nonexistent/corpus", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void HeuristicEvaluation_OnTheFoundationCaptures_IsPerfect()
    {
        var evaluation = new Evaluation();
        foreach (var connection in Corpus)
        {
            evaluation.Add(new HeuristicClassifier(), connection);
        }

        Assert.Equal(Corpus.Count, evaluation.Connections);
        Assert.Empty(evaluation.Misses);
        Assert.Equal(1.0, evaluation.MacroF1);
    }
}
