namespace TunnelGuard.Reporting;

/// <summary>Receives each connection's report when the connection ends.</summary>
public interface IConnectionSink
{
    void OnConnection(ConnectionReport report);
}
