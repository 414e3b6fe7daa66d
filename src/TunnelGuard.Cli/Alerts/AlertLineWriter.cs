using TunnelGuard.Alerts;
using TunnelGuard.Cli.Replay;

namespace TunnelGuard.Cli.Alerts;

/// <summary>Prints each alert as one line under the replay table.</summary>
internal sealed class AlertLineWriter(TextWriter output) : IAlertSink
{
    public void OnAlert(Alert alert) =>
        output.WriteLine($"  ALERT {AlertSeverities.Name(alert.Severity)} {alert.Id} {alert.RuleId}: {TerminalText.Safe(alert.Title, 80)}{(alert.Block is { } b ? $" (block {b.Target.ToString().ToLowerInvariant()} {TunnelGuard.Rules.DurationText.Format(b.Duration)}, {(alert.Enforced ? "enforced" : "not enforced")})" : string.Empty)}");
}
