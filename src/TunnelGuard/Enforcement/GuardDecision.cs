namespace TunnelGuard.Enforcement;

/// <summary>What the guard allows: a block with its (possibly escalated) duration, or a refusal with its reason.</summary>
public sealed record GuardDecision(bool Allowed, TimeSpan Duration, int Offence, string Reason);
