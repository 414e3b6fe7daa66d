using TunnelGuard.Reporting;

namespace TunnelGuard.Classification;

/// <summary>
/// The trained model and the explainable heuristics together. The model is trusted on tunnels (it sees shapes the
/// rules do not name); among the non-tunnel uses (interactive, exec, file transfer) the heuristics' explicit byte and
/// keystroke evidence wins when they reach a verdict, because the model confuses short commands with copies. Either
/// way the heuristics supply the evidence a person reads.
/// </summary>
public sealed class ModelClassifier : IShapeClassifier
{
    // Below this probability the model's answer is not reported on its own.
    private const float MinProbability = 0.5f;

    /// <summary>
    /// How sure the model must be to call a tunnel where the heuristics read a shell, a command or a copy from explicit
    /// evidence: a false alarm costs a blocked administrator, so the model alone must be nearly certain to overrule.
    /// Chosen by leaving out each training seed in turn (0.5-0.85: 2 of 72 false alarms, 0.9-0.99: 1, recall 1.000).
    /// </summary>
    public const float DefaultOverrule = 0.9f;

    private readonly ShapePredictor _predictor;
    private readonly float _overrule;

    public ModelClassifier(ShapePredictor predictor, float overrule = DefaultOverrule)
    {
        _predictor = predictor;
        _overrule = overrule;
    }

    /// <summary>No state but the model's, which <see cref="ShapePredictor"/> guards.</summary>
    public bool IsThreadSafe => true;

    public Verdict? Classify(ShapeFeatures features, bool final)
    {
        // The heuristics' judgement, made a verdict only if it is the answer: when the model's wins, only its lines go on.
        var judged = HeuristicClassifier.TryJudge(features, final, out var lines, out var heuristicLabels);
        if (!final && features.Seconds < 0.5)
        {
            return judged ? HeuristicClassifier.ToVerdict(features, lines, heuristicLabels) : null;
        }

        var (label, probability) = _predictor.Predict(features);
        var heuristicLabel = !judged ? null : heuristicLabels.Count == 0 ? Labels.Unknown : MostDangerous(heuristicLabels);
        var heuristicKnows = heuristicLabel is not null and not Labels.Unknown;
        var needed = heuristicKnows && !Labels.IsForward(heuristicLabel!) ? _overrule : MinProbability;
        if (heuristicLabel is Labels.Interactive && IsOwnTerminal(features))
        {
            // Nearly every keystroke echoed at once: the connection's own terminal. The model has mistaken a screenful
            // of output for a forward on clients it was not trained on; only evidence the heuristics name makes it one.
            return HeuristicClassifier.ToVerdict(features, lines, heuristicLabels);
        }

        if (heuristicKnows && (probability < needed || !Labels.IsForward(label)))
        {
            return HeuristicClassifier.ToVerdict(features, lines, heuristicLabels);
        }

        // The heuristics' lines, then the model's, written out only if read.
        var evidence = new ShapeEvidence(features, judged ? lines : 0, label, probability);
        var labels = default(LabelSet);
        labels.Add(label);
        for (var i = 0; i < heuristicLabels.Count; i++)
        {
            if (heuristicLabels[i] != label)
            {
                labels.Add(heuristicLabels[i]);
            }
        }

        var sorted = labels.ToList();
        return new Verdict(sorted[0] == label || !Labels.IsForward(sorted[0]) ? label : sorted[0], probability, evidence, sorted, null);
    }

    // The label the heuristics' verdict names: their most dangerous (Labels.Danger differs for every label).
    private static string MostDangerous(in LabelSet labels)
    {
        var most = labels[0];
        for (var i = 1; i < labels.Count; i++)
        {
            if (Labels.Danger(labels[i]) > Labels.Danger(most))
            {
                most = labels[i];
            }
        }

        return most;
    }

    /// <summary>At least 10 keystrokes typed by the client, 80 % of them echoed by the server within 20 ms.</summary>
    private static bool IsOwnTerminal(ShapeFeatures f) => f.EchoC2S >= 10 && f.EchoC2S >= 0.8 * f.KeysC2S;
}
