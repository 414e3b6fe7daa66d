using TunnelGuard.Classification;
using TunnelGuard.Decoding;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Alerts;

/// <summary>An alert as stored: the columns triage filters on, its status and history, and the full alert JSON.</summary>
public sealed record AlertRecord(
    string Id,
    long TimeMicros,
    string RuleId,
    AlertSeverity Severity,
    string Title,
    string Action,
    Endpoint Client,
    Endpoint Server,
    string Label,
    double Confidence,
    string? Source,
    AlertStatus Status,
    string Json)
{
    /// <summary>Status changes and notes, oldest first (filled by <see cref="AlertStore.Get"/>).</summary>
    public IReadOnlyList<AlertNote> History { get; init; } = [];

    /// <summary>
    /// The connection's verdict changes, oldest first (filled by <see cref="AlertStore.Get"/>): those known when the
    /// alert was raised and those a monitor saw later. Empty for alerts stored before schema version 2.
    /// </summary>
    public IReadOnlyList<VerdictChange> Timeline { get; init; } = [];

    /// <summary>Whether the client or server address is in the network.</summary>
    public bool Involves(IpCidr network) => network.Contains(Client.Address) || network.Contains(Server.Address);

    internal static Endpoint ParseEndpoint(string ip, long port) => new(IpAddress.Parse(ip), (ushort)port);
}
