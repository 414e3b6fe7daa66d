namespace TunnelGuard.Rules;

/// <summary>Patterns (software globs or HASSH values) from a rule and the named lists it used.</summary>
public sealed record TextListCondition(IReadOnlyList<GlobPattern> Patterns, IReadOnlyList<string> Names)
{
    public GlobPattern? Find(string? text)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var pattern in Patterns)
        {
            if (pattern.IsMatch(text))
            {
                return pattern;
            }
        }

        return null;
    }

    public override string ToString() => string.Join(", ", Names.Select(n => "$" + n).Concat(Patterns.Select(p => p.Pattern)).Distinct());
}
