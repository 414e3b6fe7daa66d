using System.Globalization;
using TunnelGuard.Reporting;

namespace TunnelGuard.Classification;

/// <summary>
/// The trained model decides the label and its confidence; the heuristics supply the evidence a person reads, and
/// take over when the model is unsure and they are not.
/// </summary>
public sealed class ModelClassifier : IShapeClassifier
{
    // Below this probability the model's answer is not reported on its own.
    private const float MinProbability = 0.5f;

    private readonly ShapePredictor _predictor;
    private readonly HeuristicClassifier _heuristics = new();

    public ModelClassifier(ShapePredictor predictor) => _predictor = predictor;

    public Verdict? Classify(ShapeFeatures features, bool final)
    {
        var heuristic = _heuristics.Classify(features, final);
        if (!final && features.Seconds < 0.5)
        {
            return heuristic;
        }

        var (label, probability) = _predictor.Predict(features.ToVector());
        if (probability < MinProbability && heuristic is { Label: not Labels.Unknown })
        {
            return heuristic;
        }

        var evidence = new List<string>();
        if (heuristic is not null)
        {
            evidence.AddRange(heuristic.Evidence);
        }

        evidence.Add(string.Create(CultureInfo.InvariantCulture, $"shape model: {label} with probability {probability:0.00} after {features.Seconds:0.0} s of encrypted traffic"));
        var labels = new List<string> { label };
        if (heuristic is not null)
        {
            labels.AddRange(heuristic.Labels.Where(l => l != label));
        }

        labels.Sort(static (a, b) => Labels.Danger(b).CompareTo(Labels.Danger(a)));
        return new Verdict(labels[0] == label || !Labels.IsForward(labels[0]) ? label : labels[0], probability, evidence, labels, null);
    }
}
