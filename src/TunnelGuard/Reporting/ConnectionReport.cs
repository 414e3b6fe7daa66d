using TunnelGuard.Classification;
using TunnelGuard.Flows;
using TunnelGuard.Shape;
using TunnelGuard.Ssh;

namespace TunnelGuard.Reporting;

/// <summary>
/// Everything reported about one connection when it ends: an SSH connection (client and server by SSH role) or, for
/// other TCP flows, initiator and responder.
/// </summary>
public sealed record ConnectionReport
{
    public required bool IsSsh { get; init; }

    public required long FirstSeenMicros { get; init; }

    public required long LastSeenMicros { get; init; }

    /// <summary>The SSH client, or the TCP initiator of a non-SSH flow.</summary>
    public required Endpoint Client { get; init; }

    public required Endpoint Server { get; init; }

    public required string CommunityId { get; init; }

    /// <summary>Whether the connection's SYN was captured.</summary>
    public required bool StartSeen { get; init; }

    /// <summary>True when the SSH server side sent the TCP SYN.</summary>
    public required bool OpenedByServer { get; init; }

    public required FlowEndReason EndReason { get; init; }

    public required long PacketsToServer { get; init; }

    public required long PacketsToClient { get; init; }

    public required long BytesToServer { get; init; }

    public required long BytesToClient { get; init; }

    public SshSideReport? SshClient { get; init; }

    public SshSideReport? SshServer { get; init; }

    public SshAlgorithms? Algorithms { get; init; }

    public SshRoleBasis? RoleBasis { get; init; }

    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Whether the client logged in, inferred from the encrypted packets' sizes (<see cref="AuthInference"/>).</summary>
    public AuthOutcome Auth { get; init; }

    public Verdict Verdict { get; init; } = Verdict.None;

    /// <summary>Every verdict the connection went through, with the packet time it was reached.</summary>
    public IReadOnlyList<VerdictChange> VerdictChanges { get; init; } = [];

    /// <summary>The shape features of the last judgement; null for connections that never got encrypted.</summary>
    public ShapeFeatures? Features { get; init; }

    /// <summary>The features at every checkpoint the connection reached.</summary>
    public IReadOnlyList<ShapeFeatures> FeatureHistory { get; init; } = [];

    /// <summary>The capture file or interface the connection was seen on.</summary>
    public string? Source { get; init; }

    /// <summary>True for a report made while the connection is still open (a verdict change), not at its end.</summary>
    public bool Ongoing { get; init; }

    public double DurationSeconds => (LastSeenMicros - FirstSeenMicros) / 1_000_000.0;
}
