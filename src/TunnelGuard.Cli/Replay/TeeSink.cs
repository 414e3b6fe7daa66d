using TunnelGuard.Reporting;

namespace TunnelGuard.Cli.Replay;

/// <summary>Passes reports on and keeps a copy, for checks made after the replay.</summary>
internal sealed class TeeSink(IConnectionSink inner, List<ConnectionReport> copy) : IConnectionSink
{
    public void OnConnection(ConnectionReport report)
    {
        copy.Add(report);
        inner.OnConnection(report);
    }
}
