using TunnelGuard.Classification;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Alerts;

/// <summary>
/// One alert a rule raised on one connection: a stable id, the packet time of the decision, the rule, the connection
/// (5-tuple, Community ID, SSH software and HASSH), the verdict and what was done.
/// </summary>
public sealed record Alert
{
    public required string Id { get; init; }

    /// <summary>Packet time of the rule decision, microseconds since the Unix epoch.</summary>
    public required long TimeMicros { get; init; }

    public required string RuleId { get; init; }

    public required string Title { get; init; }

    public required AlertSeverity Severity { get; init; }

    /// <summary>Why the rule matched, one line per condition.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The block the rule decided, or null for an alert only.</summary>
    public BlockDecision? Block { get; init; }

    /// <summary>Whether the block was carried out (a monitor with <c>--enforce</c>); false in replay.</summary>
    public bool Enforced { get; init; }

    public required Endpoint Client { get; init; }

    public required Endpoint Server { get; init; }

    public required string CommunityId { get; init; }

    public required long FirstSeenMicros { get; init; }

    public string? ClientSoftware { get; init; }

    public string? ClientHassh { get; init; }

    public string? ServerSoftware { get; init; }

    public string? ServerHassh { get; init; }

    public required Verdict Verdict { get; init; }

    /// <summary>The connection's verdicts up to the decision, oldest first, with the packet time each was reached.</summary>
    public IReadOnlyList<VerdictChange> VerdictChanges { get; init; } = [];

    /// <summary>The capture file the connection was read from (replay).</summary>
    public string? Pcap { get; init; }

    /// <summary>The sensor and interface that saw the connection (monitor).</summary>
    public string? Sensor { get; init; }

    /// <summary>"alert", or "block" when the rule also blocks.</summary>
    public string Action => Block is null ? "alert" : "block";
}
