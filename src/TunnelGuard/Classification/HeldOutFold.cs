namespace TunnelGuard.Classification;

/// <summary>One fold of a leave-out evaluation: what was left out, how many connections trained the model, the result.</summary>
public sealed record HeldOutFold(string LeftOut, int TrainedOn, Evaluation Evaluation);
