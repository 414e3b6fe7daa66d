namespace TunnelGuard.Alerts;

/// <summary>Receives each alert once it is raised (after the store, if any, has committed it).</summary>
public interface IAlertSink
{
    void OnAlert(Alert alert);
}
