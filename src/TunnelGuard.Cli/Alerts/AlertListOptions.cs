namespace TunnelGuard.Cli.Alerts;

/// <summary>What `tunnelguard alerts list` was asked for, as typed.</summary>
internal sealed record AlertListOptions(string? Since, string? Severity, string? Status, string? Rule, string? Ip, string? Format, int? Limit);
