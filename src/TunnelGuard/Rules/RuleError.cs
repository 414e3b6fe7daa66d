namespace TunnelGuard.Rules;

/// <summary>One mistake in a rule file, printed as <c>file:line:col: message</c>.</summary>
public sealed record RuleError(SourcePosition Position, string Message)
{
    public override string ToString() => $"{Position}: {Message}";
}
