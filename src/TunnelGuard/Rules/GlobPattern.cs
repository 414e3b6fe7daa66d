using System.Text.RegularExpressions;

namespace TunnelGuard.Rules;

/// <summary>
/// A shell-style pattern (<c>*</c> any run, <c>?</c> one character), matched case-insensitively against the whole text.
/// Matched without backtracking, in time linear in the text: the text is a peer's banner, and a backtracking match of a
/// pattern with many stars against a crafted 255-byte banner ran into the timeout, whose exception escaped the rule
/// engine (found by the rules fuzz target).
/// </summary>
public sealed class GlobPattern
{
    private readonly Regex _regex;

    public GlobPattern(string pattern)
    {
        Pattern = pattern;
        var body = Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal);
        _regex = new Regex("^" + body + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking);
    }

    public string Pattern { get; }

    public bool IsMatch(string text) => _regex.IsMatch(text);

    public override string ToString() => Pattern;
}
