namespace TunnelGuard.Rules;

/// <summary>A policy and the mistakes found while reading it; the policy is null when there is any mistake.</summary>
public sealed record RuleLoadResult(RuleSet? RuleSet, IReadOnlyList<RuleError> Errors)
{
    public bool IsValid => RuleSet is not null;
}
