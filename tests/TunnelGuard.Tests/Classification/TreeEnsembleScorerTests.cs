using TunnelGuard.Classification;
using TunnelGuard.Corpus;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Classification;

/// <summary>
/// The direct tree walk must give exactly what ML.NET's prediction engine gives (same label, same float
/// probability), or verdicts would change: checked on every judgement of every committed capture and on many
/// vectors around them, both for the trees taken from ML.NET's loaded model and for those read from the model file's
/// compact entry without ML.NET (<see cref="ShapeModel.LoadPredictor"/>, what replay and monitor use).
/// </summary>
public sealed class TreeEnsembleScorerTests
{
    private static readonly List<float[]> CorpusRows =
        [.. CorpusReplay.Run(RepoPaths.Pcaps).SelectMany(c => c.Report.FeatureHistory).Select(f => f.ToVector())];

    public static TheoryData<string> Loaders => ["ml.net", "compact"];

    // The compact predictor makes its ML.NET engine only when PredictWithEngine first asks for it.
    private static ShapePredictor Shipped(string loader) => loader == "compact"
        ? ShapeModel.LoadPredictor(ShapeModel.DefaultPath)
        : ShapeModel.Load(ShapeModel.DefaultPath).CreatePredictor();

    [Fact]
    public void ShippedModel_IsScoredDirectly()
    {
        var predictor = ShapeModel.Load(ShapeModel.DefaultPath).CreatePredictor();

        Assert.True(predictor.ScoresTreesDirectly);
    }

    [Fact]
    public void ShippedModel_LoadsFromItsCompactTrees_WithoutMakingAnEngine()
    {
        var predictor = ShapeModel.LoadPredictor(ShapeModel.DefaultPath);

        Assert.True(predictor.ScoresTreesDirectly);
        Assert.False(predictor.HasEngine);
        Assert.Equal(Labels.Classes.Order(StringComparer.Ordinal), predictor.Classes);
        foreach (var row in CorpusRows)
        {
            predictor.Predict(row);
        }

        Assert.False(predictor.HasEngine);
    }

    [Theory]
    [MemberData(nameof(Loaders))]
    public void ShippedModel_DirectScores_EqualTheEngine_OnEveryCorpusJudgement(string loader)
    {
        var predictor = Shipped(loader);

        Assert.True(CorpusRows.Count > 100, $"only {CorpusRows.Count} rows");
        foreach (var row in CorpusRows)
        {
            Assert.Equal(predictor.PredictWithEngine(row), predictor.Predict(row));
        }
    }

    [Theory]
    [MemberData(nameof(Loaders))]
    public void ShippedModel_DirectScores_EqualTheEngine_AroundTheCorpus(string loader)
    {
        var predictor = Shipped(loader);
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

    [Theory]
    [MemberData(nameof(Loaders))]
    public void NaNFeature_IsLeftToTheEngine(string loader)
    {
        var predictor = Shipped(loader);
        var row = (float[])CorpusRows[0].Clone();
        row[3] = float.NaN;

        var predicted = predictor.Predict(row);

        Assert.True(predictor.HasEngine);
        Assert.Equal(predictor.PredictWithEngine(row), predicted);
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
