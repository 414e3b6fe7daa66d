namespace TunnelGuard.Rules;

/// <summary>A policy and the mistakes found while reading it; the policy is null when there is any mistake.</summary>
public sealed record RuleLoadResult(RuleSet? RuleSet, IReadOnlyList<RuleError> Errors)
{
    /// <summary>Things that are allowed but probably not meant (an unused list, a rule no connection can reach).</summary>
    public IReadOnlyList<RuleError> Warnings { get; init; } = [];

    public bool IsValid => RuleSet is not null;
}
