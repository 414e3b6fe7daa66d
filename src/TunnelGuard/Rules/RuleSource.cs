namespace TunnelGuard.Rules;

/// <summary>One rule file's name (as it appears in error messages) and text.</summary>
public sealed record RuleSource(string Name, string Text);
