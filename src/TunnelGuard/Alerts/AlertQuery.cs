using TunnelGuard.Rules;

namespace TunnelGuard.Alerts;

/// <summary>Filters for listing alerts; null means any. Severity is a minimum.</summary>
public sealed record AlertQuery
{
    public long? SinceMicros { get; init; }

    public AlertSeverity? MinSeverity { get; init; }

    public AlertStatus? Status { get; init; }

    public string? RuleId { get; init; }

    /// <summary>Client or server address in this network.</summary>
    public IpCidr? Network { get; init; }

    public int? Limit { get; init; }

    public static AlertQuery All { get; } = new();
}
