namespace TunnelGuard.Enforcement;

/// <summary>One line of the enforcement audit trail: block, reapply, expire, unblock, refuse or error, with its detail.</summary>
public sealed record BlockAuditEntry(long Sequence, long TimeMicros, string Action, string? Target, string? RuleId, string Detail);
