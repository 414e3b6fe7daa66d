namespace TunnelGuard.Rules;

/// <summary>One policy rule: conditions and what to do when a connection meets them.</summary>
public sealed record Rule
{
    public required string Id { get; init; }

    public string? Description { get; init; }

    public required SourcePosition Position { get; init; }

    public RuleConditions Match { get; init; } = RuleConditions.Any;

    public AlertAction? Alert { get; init; }

    public BlockAction? Block { get; init; }

    /// <summary>A matching allow rule stops evaluation: later rules are not looked at.</summary>
    public bool Allow { get; init; }

    /// <summary>The same rule on the same client and server addresses alerts once per this window (packet time).</summary>
    public TimeSpan Suppress { get; init; } = DefaultSuppress;

    public static TimeSpan DefaultSuppress { get; } = TimeSpan.FromMinutes(10);

    /// <summary>What the rule does, e.g. <c>alert high, block client 1h</c> or <c>allow</c>.</summary>
    public string ActionSummary
    {
        get
        {
            if (Allow)
            {
                return "allow";
            }

            var parts = new List<string>();
            if (Alert is not null)
            {
                parts.Add($"alert {Alerts.AlertSeverities.Name(Alert.Severity)}");
            }

            if (Block is not null)
            {
                parts.Add($"block {Block.Target.ToString().ToLowerInvariant()} {DurationText.Format(Block.Duration)}");
            }

            return string.Join(", ", parts);
        }
    }
}
