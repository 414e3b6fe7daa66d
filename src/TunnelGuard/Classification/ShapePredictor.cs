namespace TunnelGuard.Classification;

/// <summary>
/// Runs the model on one feature vector. Safe to call from several threads at once: the direct scorer keeps its scores
/// on the caller's stack, and ML.NET's prediction engine, which keeps its input row in a field, is used under a lock.
/// </summary>
public sealed class ShapePredictor
{
    // TreeEnsembleScorer.ReadFrom allows at most 64 classes.
    private const int MaxStackClasses = 64;

    private readonly Lazy<ShapeEngine> _engine;
    private readonly TreeEnsembleScorer? _scorer;
    private readonly Lock _engineLock = new();

    internal ShapePredictor(ShapeEngine engine, string[] classes, TreeEnsembleScorer? scorer = null)
        : this(new Lazy<ShapeEngine>(engine), classes, scorer)
    {
    }

    /// <summary>
    /// A predictor whose ML.NET engine is made only if a row needs it (a NaN feature, which the direct scorer leaves to
    /// ML.NET): the model read from its compact tree entry (<see cref="ShapeTreesEntry"/>).
    /// </summary>
    internal ShapePredictor(Func<ShapeEngine> engine, string[] classes, TreeEnsembleScorer scorer)
        : this(new Lazy<ShapeEngine>(engine), classes, scorer)
    {
    }

    private ShapePredictor(Lazy<ShapeEngine> engine, string[] classes, TreeEnsembleScorer? scorer)
    {
        _engine = engine;
        Classes = classes;
        _scorer = scorer?.ClassCount == classes.Length && classes.Length <= MaxStackClasses ? scorer : null;
    }

    /// <summary>Whether predictions walk the trees directly (<see cref="TreeEnsembleScorer"/>) rather than through ML.NET's engine.</summary>
    internal bool ScoresTreesDirectly => _scorer is not null;

    /// <summary>Whether ML.NET's prediction engine has been made (always, unless the model came from its compact tree entry).</summary>
    internal bool HasEngine => _engine.IsValueCreated;

    /// <summary>The class of each score slot.</summary>
    public IReadOnlyList<string> Classes { get; }

    public (string Label, float Probability) Predict(float[] features) =>
        TryPredictDirectly(features, out var prediction) ? prediction : PredictWithEngine(features);

    /// <summary>
    /// The prediction for <paramref name="features"/>' vector, which the direct scorer reads from the stack: a
    /// connection is judged at every checkpoint, and an array per judgement was garbage at once.
    /// </summary>
    public (string Label, float Probability) Predict(ShapeFeatures features)
    {
        Span<float> vector = stackalloc float[ShapeFeatures.VectorLength];
        features.WriteVector(vector);
        return TryPredictDirectly(vector, out var prediction) ? prediction : PredictWithEngine(vector.ToArray());
    }

    private bool TryPredictDirectly(ReadOnlySpan<float> features, out (string Label, float Probability) prediction)
    {
        if (_scorer is not null)
        {
            Span<float> scores = stackalloc float[MaxStackClasses];
            scores = scores[..Classes.Count];
            if (_scorer.TryScore(features, scores))
            {
                var best = ArgMax(scores);
                prediction = (Classes[best], scores[best]);
                return true;
            }
        }

        prediction = default;
        return false;
    }

    /// <summary>The prediction through ML.NET's prediction engine: the reference the direct scorer is tested against.</summary>
    internal (string Label, float Probability) PredictWithEngine(float[] features)
    {
        ShapePrediction prediction;
        lock (_engineLock)
        {
            prediction = _engine.Value.Predict(features);
        }

        var best = ArgMax(prediction.Score);
        return (best < Classes.Count ? Classes[best] : prediction.PredictedLabel, prediction.Score.Length == 0 ? 0 : prediction.Score[best]);
    }

    // The first highest score wins a tie.
    private static int ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }

        return best;
    }
}
