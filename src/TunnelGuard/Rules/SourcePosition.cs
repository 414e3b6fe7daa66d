namespace TunnelGuard.Rules;

/// <summary>Where something is in a rule file: file path as given, 1-based line and column.</summary>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
