namespace TunnelGuard.Rules;

/// <summary>What the policy decided for one connection: the rules that fired, in order, and the allow rule that stopped evaluation, if any.</summary>
public sealed record RuleEvaluation(IReadOnlyList<RuleHit> Hits, RuleHit? AllowedBy, long DecisionMicros)
{
    public static RuleEvaluation None(long micros) => new([], null, micros);
}
