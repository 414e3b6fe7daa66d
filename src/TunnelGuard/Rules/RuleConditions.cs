using TunnelGuard.Shape;

namespace TunnelGuard.Rules;

/// <summary>What a connection must show for a rule to match; every condition given must hold (null means any).</summary>
public sealed record RuleConditions
{
    /// <summary>The verdict's primary label must be one of these.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    public double? MinConfidence { get; init; }

    /// <summary>Some evidence line must contain one of these, ignoring case.</summary>
    public IReadOnlyList<string>? Evidence { get; init; }

    public AddressCondition? Client { get; init; }

    public AddressCondition? ClientNot { get; init; }

    public AddressCondition? Server { get; init; }

    public AddressCondition? ServerNot { get; init; }

    public IReadOnlyList<PortRange>? ClientPorts { get; init; }

    public IReadOnlyList<PortRange>? ServerPorts { get; init; }

    /// <summary>Globs over the client's SSH software, e.g. <c>OpenSSH_9.*</c>.</summary>
    public TextListCondition? Software { get; init; }

    public TextListCondition? SoftwareNot { get; init; }

    /// <summary>The client's HASSH (allow or deny lists).</summary>
    public TextListCondition? Hassh { get; init; }

    public TextListCondition? HasshNot { get; init; }

    /// <summary>Globs over the server's SSH software.</summary>
    public TextListCondition? ServerSoftware { get; init; }

    public TextListCondition? ServerSoftwareNot { get; init; }

    /// <summary>The server's HASSH (HASSHServer; allow or deny lists).</summary>
    public TextListCondition? ServerHassh { get; init; }

    public TextListCondition? ServerHasshNot { get; init; }

    /// <summary>The inferred authentication outcome must be one of these.</summary>
    public IReadOnlyList<AuthOutcome>? Auth { get; init; }

    /// <summary>The rule applies inside any of these windows.</summary>
    public IReadOnlyList<TimeWindow>? Time { get; init; }

    public static RuleConditions Any { get; } = new();
}
