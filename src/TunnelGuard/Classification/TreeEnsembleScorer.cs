using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace TunnelGuard.Classification;

/// <summary>
/// Scores the shape model's classes by walking its trees directly, with exactly the arithmetic of ML.NET 5.0.1's
/// one-versus-all LightGBM predictor. ML.NET scores the classes with <c>Parallel.For</c> on every prediction: for
/// six small tree ensembles (a few microseconds of work) it hands work to pool threads and spin-waits for them, which
/// took most of a replay's time. Same model, same floats: per class the tree outputs summed in a double and cast to
/// float (<c>InternalTreeEnsemble.GetOutput</c>, <c>TreeEnsembleModelParameters.Map</c>), the Platt sigmoid
/// (<c>PlattCalibrator.PredictProbability</c>), then the sum normalized to one (<c>ImplDist.NormalizeSumToOne</c>).
/// Built only when the model has exactly that shape; otherwise the prediction engine is used.
/// </summary>
internal sealed class TreeEnsembleScorer
{
    private readonly ClassTrees[] _classes;

    private TreeEnsembleScorer(ClassTrees[] classes) => _classes = classes;

    public int ClassCount => _classes.Length;

    /// <summary>The scorer for a loaded model, or null when the model is not a one-versus-all LightGBM ensemble of numeric splits.</summary>
    public static TreeEnsembleScorer? TryCreate(ITransformer model)
    {
        if (model is not IEnumerable<ITransformer> chain)
        {
            return null;
        }

        foreach (var transformer in chain)
        {
            if (transformer is MulticlassPredictionTransformer<OneVersusAllModelParameters> prediction)
            {
                return TryCreate(prediction.Model);
            }
        }

        return null;
    }

    /// <summary>Writes one probability per class into <paramref name="scores"/>; false (nothing written) for a NaN feature, whose handling is left to ML.NET.</summary>
    public bool TryScore(ReadOnlySpan<float> features, Span<float> scores)
    {
        foreach (var value in features)
        {
            if (float.IsNaN(value))
            {
                return false;
            }
        }

        for (var i = 0; i < _classes.Length; i++)
        {
            scores[i] = _classes[i].Probability(features);
        }

        // ImplDist.NormalizeSumToOne: negatives clamped to zero, NaN left out of the sum.
        double sum = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var value = scores[i];
            if (float.IsNaN(value))
            {
                continue;
            }

            if (value >= 0)
            {
                sum += value;
            }
            else
            {
                scores[i] = 0;
            }
        }

        if (sum > 0)
        {
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] = (float)(scores[i] / sum);
            }
        }

        return true;
    }

    private static TreeEnsembleScorer? TryCreate(OneVersusAllModelParameters ova)
    {
        // ML.NET keeps the per-class predictors private (OneVersusAllModelParameters._impl.Predictors).
        var impl = typeof(OneVersusAllModelParameters).GetField("_impl", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(ova);
        if (impl is null || impl.GetType().Name != "ImplDist"
            || impl.GetType().GetProperty("Predictors", BindingFlags.Public | BindingFlags.Instance)?.GetValue(impl) is not Array predictors
            || predictors.Length == 0)
        {
            return null;
        }

        var classes = new ClassTrees[predictors.Length];
        for (var i = 0; i < predictors.Length; i++)
        {
            if (predictors.GetValue(i) is not CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator> calibrated
                || ClassTrees.TryCreate(calibrated.SubModel.TrainedTreeEnsemble, calibrated.Calibrator) is not { } trees)
            {
                return null;
            }

            classes[i] = trees;
        }

        return new TreeEnsembleScorer(classes);
    }

    private sealed class ClassTrees
    {
        private readonly Tree[] _trees;
        private readonly double _slope;
        private readonly double _offset;

        private ClassTrees(Tree[] trees, double slope, double offset)
        {
            _trees = trees;
            _slope = slope;
            _offset = offset;
        }

        public static ClassTrees? TryCreate(RegressionTreeEnsemble ensemble, PlattCalibrator calibrator)
        {
            var trees = new Tree[ensemble.Trees.Count];
            for (var i = 0; i < trees.Length; i++)
            {
                var tree = ensemble.Trees[i];
                foreach (var categorical in tree.CategoricalSplitFlags)
                {
                    if (categorical)
                    {
                        return null;
                    }
                }

                if (tree.NumberOfLeaves < 2)
                {
                    return null;
                }

                trees[i] = new Tree([.. tree.NumericalSplitFeatureIndexes], [.. tree.NumericalSplitThresholds], [.. tree.LeftChild], [.. tree.RightChild], [.. tree.LeafValues]);
            }

            return new ClassTrees(trees, calibrator.Slope, calibrator.Offset);
        }

        public float Probability(ReadOnlySpan<float> features)
        {
            double output = 0;
            foreach (var tree in _trees)
            {
                output += tree.Output(features);
            }

            var score = (float)output;
            return (float)(1 / (1 + Math.Exp((_slope * score) + _offset)));
        }
    }

    private sealed class Tree(int[] features, float[] thresholds, int[] lte, int[] gt, double[] leaves)
    {
        // InternalRegressionTree.GetOutput / GetLeafCore: a node index >= 0, a leaf ~index.
        public double Output(ReadOnlySpan<float> values)
        {
            if (lte[0] == 0)
            {
                return 0;
            }

            var node = 0;
            while (node >= 0)
            {
                node = values[features[node]] <= thresholds[node] ? lte[node] : gt[node];
            }

            return leaves[~node];
        }
    }
}
