namespace TunnelGuard.Rules;

/// <summary>Whether a rule's conditions hold for a connection, and in words why (each condition that held) or why not (the first that failed).</summary>
public sealed record MatchResult(bool IsMatch, IReadOnlyList<string> Reasons);
