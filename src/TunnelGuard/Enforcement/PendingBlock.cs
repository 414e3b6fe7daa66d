namespace TunnelGuard.Enforcement;

/// <summary>A block the guard allowed, waiting for the firewall worker: what, for which rule, and why.</summary>
internal sealed record PendingBlock(FirewallBlock Block, string RuleId, string Reason, int Offence);
