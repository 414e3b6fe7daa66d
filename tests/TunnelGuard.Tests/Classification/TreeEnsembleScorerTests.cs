using TunnelGuard.Classification;
using TunnelGuard.Corpus;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Classification;

/// <summary>
/// The direct tree walk must give exactly what ML.NET's prediction engine gives (same label, same float
/// probability), or verdicts would change: checked on every judgement of every committed capture and on many
/// vectors around them.
/// </summary>
public sealed class TreeEnsembleScorerTests
{
    private static readonly List<float[]> CorpusRows =
        [.. CorpusReplay.Run(RepoPaths.Pcaps).SelectMany(c => c.Report.FeatureHistory).Select(f => f.ToVector())];

    [Fact]
    public void ShippedModel_IsScoredDirectly()
    {
        var predictor = ShapeModel.Load(ShapeModel.DefaultPath).CreatePredictor();

        Assert.True(predictor.ScoresTreesDirectly);
    }

    [Fact]
    public void ShippedModel_DirectScores_EqualTheEngine_OnEveryCorpusJudgement()
    {
        var predictor = ShapeModel.Load(ShapeModel.DefaultPath).CreatePredictor();

        Assert.True(CorpusRows.Count > 100, $"only {CorpusRows.Count} rows");
        foreach (var row in CorpusRows)
        {
            Assert.Equal(predictor.PredictWithEngine(row), predictor.Predict(row));
        }
    }

    [Fact]
    public void ShippedModel_DirectScores_EqualTheEngine_AroundTheCorpus()
    {
        var predictor = ShapeModel.Load(ShapeModel.DefaultPath).CreatePredictor();
        var random = new Random(20261125);

        for (var n = 0; n < 20_000; n++)
        {
            // A corpus row with some entries scaled, zeroed or swapped for another row's: crosses many thresholds.
            var row = (float[])CorpusRows[random.Next(CorpusRows.Count)].Clone();
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = random.Next(4) switch
                {
                    0 => row[i] * (float)(random.NextDouble() * 3),
                    1 => CorpusRows[random.Next(CorpusRows.Count)][i],
                    2 => 0,
                    _ => row[i],
                };
            }

            Assert.Equal(predictor.PredictWithEngine(row), predictor.Predict(row));
        }
    }

    [Fact]
    public void NaNFeature_IsLeftToTheEngine()
    {
        var predictor = ShapeModel.Load(ShapeModel.DefaultPath).CreatePredictor();
        var row = (float[])CorpusRows[0].Clone();
        row[3] = float.NaN;

        Assert.Equal(predictor.PredictWithEngine(row), predictor.Predict(row));
    }

    [Fact]
    public void FreshlyTrainedModel_DirectScores_EqualTheEngine()
    {
        var samples = ShapeTraining.Samples(CorpusReplay.Run(RepoPaths.Pcaps));
        var predictor = ShapeModel.Train(samples, seed: 3).CreatePredictor();

        Assert.True(predictor.ScoresTreesDirectly);
        foreach (var sample in samples)
        {
            Assert.Equal(predictor.PredictWithEngine(sample.Features), predictor.Predict(sample.Features));
        }
    }
}
