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
/// Built only when the model has exactly that shape; otherwise the prediction engine is used. <see cref="WriteTo"/> and
/// <see cref="ReadFrom"/> keep the same numbers in a compact form (<see cref="ShapeTreesEntry"/>), so that replay and
/// monitor can score without loading ML.NET at all.
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

    /// <summary>Writes the trees and calibrators exactly (every float and double as its bits), class by class.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(_classes.Length);
        foreach (var trees in _classes)
        {
            trees.WriteTo(writer);
        }
    }

    /// <summary>
    /// Reads what <see cref="WriteTo"/> wrote; throws <see cref="InvalidDataException"/> unless every tree is well formed
    /// for <paramref name="featureCount"/> features: each split names a feature, each child is a later node or a leaf
    /// (so a walk always ends), and every leaf is reached.
    /// </summary>
    public static TreeEnsembleScorer ReadFrom(BinaryReader reader, int featureCount)
    {
        var classes = new ClassTrees[ReadCount(reader, 1, 64, "classes")];
        for (var i = 0; i < classes.Length; i++)
        {
            classes[i] = ClassTrees.ReadFrom(reader, featureCount);
        }

        return new TreeEnsembleScorer(classes);
    }

    /// <summary>Whether <see cref="ReadFrom"/> gives these trees back exactly: checked before they are written.</summary>
    public bool RoundTrips(int featureCount)
    {
        var written = Bytes(this);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(written));
            var read = ReadFrom(reader, featureCount);
            return reader.BaseStream.Position == written.Length && Bytes(read).AsSpan().SequenceEqual(written);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
        {
            return false;
        }

        static byte[] Bytes(TreeEnsembleScorer scorer)
        {
            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer))
            {
                scorer.WriteTo(writer);
            }

            return buffer.ToArray();
        }
    }

    private static int ReadCount(BinaryReader reader, int min, int max, string what)
    {
        var count = reader.ReadInt32();
        if (count < min || count > max)
        {
            throw new InvalidDataException($"{count} {what}, expected {min} to {max}");
        }

        return count;
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

        // The same trees packed for scoring: every split of every tree in one array, one 16-byte node per split (a walk
        // reads one cache line per level instead of four arrays), children as indexes into it and leaves as ~index into
        // one array of leaf values. _roots holds each tree's first split, or -1 for a tree that ML.NET scores as 0.
        private readonly PackedNode[] _nodes;
        private readonly double[] _leaves;
        private readonly int[] _roots;

        private ClassTrees(Tree[] trees, double slope, double offset)
        {
            _trees = trees;
            _slope = slope;
            _offset = offset;
            var splits = 0;
            var leaves = 0;
            foreach (var tree in trees)
            {
                splits += tree.SplitCount;
                leaves += tree.LeafCount;
            }

            _nodes = new PackedNode[splits];
            _leaves = new double[leaves];
            _roots = new int[trees.Length];
            splits = 0;
            leaves = 0;
            for (var i = 0; i < trees.Length; i++)
            {
                _roots[i] = trees[i].PackInto(_nodes, splits, _leaves, leaves) ? splits : -1;
                splits += trees[i].SplitCount;
                leaves += trees[i].LeafCount;
            }
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

        public static ClassTrees ReadFrom(BinaryReader reader, int featureCount)
        {
            var slope = reader.ReadDouble();
            var offset = reader.ReadDouble();
            var trees = new Tree[ReadCount(reader, 0, 100_000, "trees")];
            for (var i = 0; i < trees.Length; i++)
            {
                trees[i] = Tree.ReadFrom(reader, featureCount);
            }

            return new ClassTrees(trees, slope, offset);
        }

        public void WriteTo(BinaryWriter writer)
        {
            writer.Write(_slope);
            writer.Write(_offset);
            writer.Write(_trees.Length);
            foreach (var tree in _trees)
            {
                tree.WriteTo(writer);
            }
        }

        public float Probability(ReadOnlySpan<float> features)
        {
            // Tree by tree in order, each output added to the double as Tree.Output would give it.
            double output = 0;
            var nodes = _nodes;
            foreach (var root in _roots)
            {
                if (root < 0)
                {
                    output += 0;
                    continue;
                }

                var node = root;
                while (node >= 0)
                {
                    ref readonly var split = ref nodes[node];
                    node = features[split.Feature] <= split.Threshold ? split.Lte : split.Gt;
                }

                output += _leaves[~node];
            }

            var score = (float)output;
            return (float)(1 / (1 + Math.Exp((_slope * score) + _offset)));
        }
    }

    private sealed class Tree(int[] features, float[] thresholds, int[] lte, int[] gt, double[] leaves)
    {
        private const int MaxLeaves = 1 << 20;

        public int SplitCount => features.Length;

        public int LeafCount => leaves.Length;

        /// <summary>
        /// Copies the splits to <paramref name="nodes"/> from <paramref name="nodeBase"/> and the leaves to
        /// <paramref name="leafValues"/> from <paramref name="leafBase"/>, children moved by the same bases; false for a
        /// tree whose output is 0: ML.NET's <c>InternalRegressionTree.GetOutput</c> returns 0 when the root's first child
        /// is 0, and otherwise walks from the root (a node index &gt;= 0, a leaf ~index) to a leaf's value.
        /// </summary>
        public bool PackInto(PackedNode[] nodes, int nodeBase, double[] leafValues, int leafBase)
        {
            leaves.CopyTo(leafValues, leafBase);
            for (var i = 0; i < features.Length; i++)
            {
                nodes[nodeBase + i] = new PackedNode(features[i], thresholds[i], Move(lte[i]), Move(gt[i]));
            }

            return lte.Length == 0 || lte[0] != 0;

            int Move(int child) => child >= 0 ? nodeBase + child : ~(leafBase + ~child);
        }

        public static Tree ReadFrom(BinaryReader reader, int featureCount)
        {
            // A tree of n leaves has n - 1 splits.
            var leafCount = ReadCount(reader, 2, MaxLeaves, "leaves");
            var splits = leafCount - 1;
            var features = ReadInts(reader, splits);
            var thresholds = new float[splits];
            for (var i = 0; i < splits; i++)
            {
                thresholds[i] = reader.ReadSingle();
            }

            var lte = ReadInts(reader, splits);
            var gt = ReadInts(reader, splits);
            var leaves = new double[leafCount];
            for (var i = 0; i < leafCount; i++)
            {
                leaves[i] = reader.ReadDouble();
            }

            var reached = new bool[leafCount];
            for (var node = 0; node < splits; node++)
            {
                if ((uint)features[node] >= (uint)featureCount)
                {
                    throw new InvalidDataException($"split on feature {features[node]} of {featureCount}");
                }

                Check(node, lte[node], splits, reached);
                Check(node, gt[node], splits, reached);
            }

            if (Array.IndexOf(reached, false) >= 0)
            {
                throw new InvalidDataException("a leaf no split leads to");
            }

            return new Tree(features, thresholds, lte, gt, leaves);
        }

        public void WriteTo(BinaryWriter writer)
        {
            writer.Write(leaves.Length);
            foreach (var feature in features)
            {
                writer.Write(feature);
            }

            foreach (var threshold in thresholds)
            {
                writer.Write(threshold);
            }

            foreach (var child in lte)
            {
                writer.Write(child);
            }

            foreach (var child in gt)
            {
                writer.Write(child);
            }

            foreach (var leaf in leaves)
            {
                writer.Write(leaf);
            }
        }

        private static int[] ReadInts(BinaryReader reader, int count)
        {
            var values = new int[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = reader.ReadInt32();
            }

            return values;
        }

        private static void Check(int node, int child, int splits, bool[] reached)
        {
            if (child < 0 && ~child < reached.Length)
            {
                reached[~child] = true;
            }
            else if (child <= node || child >= splits)
            {
                throw new InvalidDataException($"split {node} leads to {child}");
            }
        }
    }

    /// <summary>One split of a packed tree: a node index &gt;= 0 or a leaf ~index for each child.</summary>
    private readonly record struct PackedNode(int Feature, float Threshold, int Lte, int Gt);
}
