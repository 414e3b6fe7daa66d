using TunnelGuard.Decoding;
using TunnelGuard.Reporting;

namespace TunnelGuard.Rules;

/// <summary>
/// Evaluates connections against a policy, in order: files sorted by name, rules in file order. Every matching rule
/// fires (alert and/or block) until a matching <c>allow</c> rule, which stops evaluation. An alert of the same rule for
/// the same client and server addresses is suppressed within the rule's window; blocks still apply and count as
/// repeats. All time is packet time. Not thread-safe: one engine per pipeline.
/// </summary>
public sealed class RuleEngine
{
    // Suppression and repeat state is pruned when it grows past this many entries, dropping expired ones.
    private const int PruneThreshold = 100_000;

    private readonly Dictionary<(string Rule, IpAddress Client, IpAddress Server), long> _lastAlert = [];
    private readonly Dictionary<(string Rule, BlockTarget Target, IpAddress A, IpAddress B), (int Count, long LastMicros)> _blocks = [];

    private RuleSet _rules;

    public RuleEngine(RuleSet rules) => _rules = rules;

    /// <summary>
    /// The policy in force. Another thread (<see cref="RuleReloader"/>) may replace it at any time; an evaluation uses
    /// the policy it started with. Suppression and repeat state carry over for rule ids that remain.
    /// </summary>
    public RuleSet Rules
    {
        get => Volatile.Read(ref _rules);
        set => Volatile.Write(ref _rules, value);
    }

    public RuleEvaluation Evaluate(ConnectionReport report)
    {
        var now = RuleMatcher.DecisionMicros(report);
        var rules = Rules;
        var hits = new List<RuleHit>();
        foreach (var rule in rules.Rules)
        {
            var match = RuleMatcher.Match(rule.Match, report);
            if (!match.IsMatch)
            {
                continue;
            }

            if (rule.Allow)
            {
                return new RuleEvaluation(hits, new RuleHit(rule, match.Reasons, false, null), now);
            }

            var suppressed = rule.Alert is not null && IsSuppressed(rule, report, now);
            var block = rule.Block is { } action ? Block(rule, action, report, now) : null;
            hits.Add(new RuleHit(rule, match.Reasons, suppressed, block));
        }

        if (_lastAlert.Count > PruneThreshold)
        {
            Prune(rules, now);
        }

        return new RuleEvaluation(hits, null, now);
    }

    private bool IsSuppressed(Rule rule, ConnectionReport report, long now)
    {
        var key = (rule.Id, report.Client.Address, report.Server.Address);
        var window = (long)rule.Suppress.TotalMicroseconds;
        // Absolute difference: replaying several captures in name order can step back in packet time.
        if (_lastAlert.TryGetValue(key, out var last) && Math.Abs(now - last) < window)
        {
            return true;
        }

        _lastAlert[key] = now;
        return false;
    }

    private BlockDecision Block(Rule rule, BlockAction action, ConnectionReport report, long now)
    {
        var (a, b) = action.Target switch
        {
            BlockTarget.Client => (report.Client.Address, default(IpAddress)),
            BlockTarget.Server => (report.Server.Address, default),
            _ => (report.Client.Address, report.Server.Address),
        };
        var key = (rule.Id, action.Target, a, b);
        var previous = _blocks.TryGetValue(key, out var state) ? state.Count : 0;
        _blocks[key] = (previous + 1, now);
        IReadOnlyList<IpAddress> addresses = action.Target == BlockTarget.Pair ? [a, b] : [a];
        return new BlockDecision(action.Target, addresses, action.DurationFor(previous), previous);
    }

    private void Prune(RuleSet rules, long now)
    {
        var longest = rules.Rules.Count == 0 ? 0 : rules.Rules.Max(r => (long)r.Suppress.TotalMicroseconds);
        foreach (var key in _lastAlert.Where(e => now - e.Value >= longest).Select(e => e.Key).ToList())
        {
            _lastAlert.Remove(key);
        }
    }
}
