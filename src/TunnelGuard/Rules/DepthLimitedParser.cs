using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace TunnelGuard.Rules;

/// <summary>
/// Hands a YAML parser's events through and refuses collections nested deeper than <see cref="MaxDepth"/>.
/// YamlDotNet builds its node tree by recursion, one level of the call stack per level of nesting, so a file of
/// 100,000 '[' overflows the stack, and a stack overflow kills the process: a rule file replaced by such garbage would
/// take the monitor down on its next reload. Refused here, it is one more "not valid YAML" error with a position.
/// </summary>
internal sealed class DepthLimitedParser(IParser inner) : IParser
{
    /// <summary>Far beyond any rule file (the deepest real nesting is 4: rules, a rule, match, a list of values).</summary>
    public const int MaxDepth = 64;

    private int _depth;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        switch (inner.Current)
        {
            case MappingStart or SequenceStart:
                if (++_depth > MaxDepth)
                {
                    throw new YamlException(inner.Current.Start, inner.Current.End, $"collections nested more than {MaxDepth} levels deep");
                }

                break;
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
        }

        return true;
    }
}
