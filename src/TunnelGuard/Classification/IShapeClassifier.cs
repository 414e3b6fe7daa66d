using TunnelGuard.Reporting;

namespace TunnelGuard.Classification;

/// <summary>Decides what an SSH connection is used for from its shape features.</summary>
public interface IShapeClassifier
{
    /// <summary>The verdict for these features, or null when the evidence does not allow one yet.</summary>
    Verdict? Classify(ShapeFeatures features, bool final);

    /// <summary>
    /// Whether <see cref="Classify"/> may be called from several threads at once. The shards of a sharded replay call
    /// a classifier that is not through a lock.
    /// </summary>
    bool IsThreadSafe => false;
}
