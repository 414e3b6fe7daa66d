namespace TunnelGuard.Alerts;

/// <summary>How urgent an alert is; the order is the rank (low &lt; medium &lt; high &lt; critical).</summary>
public enum AlertSeverity
{
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}
