using TunnelGuard.Alerts;

namespace TunnelGuard.Rules;

/// <summary>Raise an alert of this severity with this title.</summary>
public sealed record AlertAction(AlertSeverity Severity, string Title);
