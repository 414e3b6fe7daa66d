using Microsoft.ML;

namespace TunnelGuard.Classification;

/// <summary>Runs the model on one feature vector; owns a prediction engine, so one per pipeline thread.</summary>
public sealed class ShapePredictor
{
    private readonly PredictionEngine<ShapeSample, ShapePrediction> _engine;
    private readonly ShapeSample _row = new();

    internal ShapePredictor(PredictionEngine<ShapeSample, ShapePrediction> engine, string[] classes)
    {
        _engine = engine;
        Classes = classes;
    }

    /// <summary>The class of each score slot.</summary>
    public IReadOnlyList<string> Classes { get; }

    public (string Label, float Probability) Predict(float[] features)
    {
        _row.Features = features;
        var prediction = _engine.Predict(_row);
        var best = 0;
        for (var i = 1; i < prediction.Score.Length; i++)
        {
            if (prediction.Score[i] > prediction.Score[best])
            {
                best = i;
            }
        }

        return (best < Classes.Count ? Classes[best] : prediction.PredictedLabel, prediction.Score.Length == 0 ? 0 : prediction.Score[best]);
    }
}
