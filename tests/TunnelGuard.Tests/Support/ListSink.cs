using TunnelGuard.Reporting;

namespace TunnelGuard.Tests.Support;

/// <summary>Keeps every report it is given.</summary>
internal sealed class ListSink : IConnectionSink
{
    public List<ConnectionReport> Reports { get; } = [];

    public void OnConnection(ConnectionReport report) => Reports.Add(report);
}
