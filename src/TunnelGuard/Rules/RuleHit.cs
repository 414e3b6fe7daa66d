namespace TunnelGuard.Rules;

/// <summary>One rule that matched a connection: why, whether its alert is suppressed, and the block it decided.</summary>
public sealed record RuleHit(Rule Rule, IReadOnlyList<string> Reasons, bool Suppressed, BlockDecision? Block)
{
    /// <summary>True when this hit should raise an alert now.</summary>
    public bool RaisesAlert => Rule.Alert is not null && !Suppressed;
}
