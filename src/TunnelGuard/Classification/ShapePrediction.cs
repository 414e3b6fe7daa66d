using Microsoft.ML.Data;

namespace TunnelGuard.Classification;

/// <summary>The model's answer for one row: the predicted label and one score per class.</summary>
public sealed class ShapePrediction
{
    [ColumnName("PredictedLabel")]
    public string PredictedLabel { get; set; } = string.Empty;

    public float[] Score { get; set; } = [];
}
