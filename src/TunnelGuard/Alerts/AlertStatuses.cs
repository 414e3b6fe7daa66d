namespace TunnelGuard.Alerts;

/// <summary>The status names stored in SQLite and used on the command line.</summary>
public static class AlertStatuses
{
    public static string Name(AlertStatus status) => status switch
    {
        AlertStatus.Open => "open",
        AlertStatus.Acknowledged => "acknowledged",
        _ => "closed",
    };

    public static bool TryParse(string text, out AlertStatus status)
    {
        (var ok, status) = text switch
        {
            "open" => (true, AlertStatus.Open),
            "acknowledged" or "ack" or "acked" => (true, AlertStatus.Acknowledged),
            "closed" => (true, AlertStatus.Closed),
            _ => (false, AlertStatus.Open),
        };
        return ok;
    }
}
