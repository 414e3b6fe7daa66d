namespace TunnelGuard.Rules;

/// <summary>A loaded, valid policy: rules in evaluation order (files sorted by name, rules in file order).</summary>
public sealed record RuleSet(IReadOnlyList<Rule> Rules, IReadOnlyList<string> Files, int ListCount)
{
    public static RuleSet Empty { get; } = new([], [], 0);
}
