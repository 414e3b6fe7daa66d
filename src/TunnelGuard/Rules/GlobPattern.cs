using System.Text.RegularExpressions;

namespace TunnelGuard.Rules;

/// <summary>A shell-style pattern (<c>*</c> any run, <c>?</c> one character), matched case-insensitively against the whole text.</summary>
public sealed class GlobPattern
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex _regex;

    public GlobPattern(string pattern)
    {
        Pattern = pattern;
        var body = Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal);
        _regex = new Regex("^" + body + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, MatchTimeout);
    }

    public string Pattern { get; }

    public bool IsMatch(string text) => _regex.IsMatch(text);

    public override string ToString() => Pattern;
}
