namespace TunnelGuard.Flows;

/// <summary>Told when a flow leaves the table, with everything the stages learned about it.</summary>
public interface IFlowObserver
{
    void OnFlowEnded(Flow flow, FlowEndReason reason);
}
