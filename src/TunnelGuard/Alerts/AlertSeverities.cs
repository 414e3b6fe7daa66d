namespace TunnelGuard.Alerts;

/// <summary>The severity names used in rule files, JSON and the CLI.</summary>
public static class AlertSeverities
{
    public const string Expected = "low, medium, high or critical";

    public static string Name(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Low => "low",
        AlertSeverity.Medium => "medium",
        AlertSeverity.High => "high",
        _ => "critical",
    };

    public static bool TryParse(string text, out AlertSeverity severity)
    {
        severity = text switch
        {
            "low" => AlertSeverity.Low,
            "medium" => AlertSeverity.Medium,
            "high" => AlertSeverity.High,
            "critical" => AlertSeverity.Critical,
            _ => 0,
        };
        return severity != 0;
    }
}
