using TunnelGuard.Corpus;

namespace TunnelGuard.Classification;

/// <summary>Turns labelled connections into training rows and runs held-out evaluations split by capture.</summary>
public static class ShapeTraining
{
    /// <summary>Every checkpoint of every labelled connection becomes a row with the connection's primary label.</summary>
    public static List<ShapeSample> Samples(IEnumerable<CorpusReplay.LabelledConnection> connections)
    {
        var samples = new List<ShapeSample>();
        foreach (var connection in connections)
        {
            foreach (var features in connection.Report.FeatureHistory)
            {
                samples.Add(new ShapeSample { Label = connection.Expected.Primary!, Features = features.ToVector() });
            }
        }

        return samples;
    }

    /// <summary>
    /// K-fold evaluation where a whole capture file is either trained on or tested on, never split: folds are
    /// assigned by the captures' order of names, so the split is the same every run.
    /// </summary>
    public static Evaluation CrossValidate(IReadOnlyList<CorpusReplay.LabelledConnection> connections, int folds, int seed = ShapeModel.DefaultSeed)
    {
        var groups = connections.Select(c => c.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        var foldOf = groups.Select((g, i) => (g, i % folds)).ToDictionary(x => x.g, x => x.Item2, StringComparer.Ordinal);
        var evaluation = new Evaluation();
        for (var fold = 0; fold < folds; fold++)
        {
            var train = connections.Where(c => foldOf[c.Group] != fold).ToList();
            var test = connections.Where(c => foldOf[c.Group] == fold).ToList();
            if (test.Count == 0 || train.Select(c => c.Expected.Primary).Distinct().Count() < 2)
            {
                continue;
            }

            var classifier = new ModelClassifier(ShapeModel.Train(Samples(train), seed).CreatePredictor());
            foreach (var connection in test)
            {
                evaluation.Add(classifier, connection);
            }
        }

        return evaluation;
    }

    /// <summary>
    /// Held-out evaluation by a capture property: for each value of <paramref name="split"/> (or the one it names), a
    /// model is trained on the <paramref name="train"/> captures without that value and judges the
    /// <paramref name="test"/> captures with it. A capture on the judged side is never trained on, even when it is in both
    /// lists. Returns the judgement of every fold together and each fold's own.
    /// </summary>
    public static (Evaluation Overall, List<HeldOutFold> Folds) LeaveOut(
        IReadOnlyList<CorpusReplay.LabelledConnection> train,
        IReadOnlyList<CorpusReplay.LabelledConnection> test,
        CaptureSplit split,
        int seed = ShapeModel.DefaultSeed)
    {
        var overall = new Evaluation();
        var folds = new List<HeldOutFold>();
        foreach (var value in split.Values(test.Select(c => c.Capture)))
        {
            var judged = test.Where(c => split.Matches(c.Capture, value)).ToList();
            var judgedGroups = judged.Select(c => c.Group).ToHashSet(StringComparer.Ordinal);
            var rest = train.Where(c => !split.Matches(c.Capture, value) && !judgedGroups.Contains(c.Group)).ToList();
            if (judged.Count == 0 || rest.Select(c => c.Expected.Primary).Distinct().Count() < 2)
            {
                continue;
            }

            var classifier = new ModelClassifier(ShapeModel.Train(Samples(rest), seed).CreatePredictor());
            var fold = new Evaluation();
            foreach (var connection in judged)
            {
                fold.Add(classifier, connection);
                overall.Add(classifier, connection);
            }

            folds.Add(new HeldOutFold($"{split.Key}={value}", rest.Count, fold));
        }

        return (overall, folds);
    }
}
