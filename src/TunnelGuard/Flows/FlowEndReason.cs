namespace TunnelGuard.Flows;

/// <summary>Why a flow left the table.</summary>
public enum FlowEndReason
{
    /// <summary>FIN both ways or RST, and the closed-flow linger passed.</summary>
    Closed,

    /// <summary>No packet for the idle timeout.</summary>
    Idle,

    /// <summary>The table was full and this was the oldest idle flow.</summary>
    Evicted,

    /// <summary>The capture ended with the flow still open.</summary>
    EndOfInput,
}
