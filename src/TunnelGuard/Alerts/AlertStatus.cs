namespace TunnelGuard.Alerts;

/// <summary>Where an alert is in triage.</summary>
public enum AlertStatus
{
    Open,
    Acknowledged,
    Closed,
}
