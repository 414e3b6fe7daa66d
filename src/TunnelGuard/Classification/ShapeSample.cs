using Microsoft.ML.Data;

namespace TunnelGuard.Classification;

/// <summary>One training or prediction row: the shape features at a checkpoint and, for training, the use label.</summary>
public sealed class ShapeSample
{
    public const int FeatureCount = 29;

    public string Label { get; set; } = string.Empty;

    [VectorType(FeatureCount)]
    public float[] Features { get; set; } = [];
}
