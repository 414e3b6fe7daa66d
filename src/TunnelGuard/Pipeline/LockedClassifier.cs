using TunnelGuard.Classification;
using TunnelGuard.Reporting;

namespace TunnelGuard.Pipeline;

/// <summary>
/// Lets the shards of a <see cref="ShardedPipeline"/> share one classifier, one call at a time: the shape model's
/// predictor keeps its input row and scores in fields. Calls are rare (a few checkpoints per SSH connection), so the
/// lock is almost never contended.
/// </summary>
internal sealed class LockedClassifier(IShapeClassifier inner) : IShapeClassifier
{
    private readonly Lock _lock = new();

    public Verdict? Classify(ShapeFeatures features, bool final)
    {
        lock (_lock)
        {
            return inner.Classify(features, final);
        }
    }
}
