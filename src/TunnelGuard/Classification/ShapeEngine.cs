using Microsoft.ML;
using Microsoft.ML.Data;

namespace TunnelGuard.Classification;

/// <summary>
/// ML.NET's prediction engine for the shape model, behind a type of our own: code that only holds one (a
/// <see cref="ShapePredictor"/> whose engine is made on first need) never loads ML.NET's assemblies.
/// </summary>
internal sealed class ShapeEngine(PredictionEngine<ShapeSample, ShapePrediction> engine)
{
    private readonly ShapeSample _row = new();

    public string[] Classes()
    {
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        engine.OutputSchema["Score"].GetSlotNames(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }

    public ShapePrediction Predict(float[] features)
    {
        _row.Features = features;
        return engine.Predict(_row);
    }
}
