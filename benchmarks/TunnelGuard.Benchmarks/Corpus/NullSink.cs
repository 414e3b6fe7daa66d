using TunnelGuard.Flows;
using TunnelGuard.Reporting;

namespace TunnelGuard.Benchmarks.Corpus;

/// <summary>Counts reports and flow ends and drops them, so the benchmarks measure the engine and not an output.</summary>
internal sealed class NullSink : IConnectionSink, IFlowObserver
{
    public int Reports { get; private set; }

    public int FlowsEnded { get; private set; }

    public void OnConnection(ConnectionReport report) => Reports++;

    public void OnFlowEnded(Flow flow, FlowEndReason reason) => FlowsEnded++;
}
