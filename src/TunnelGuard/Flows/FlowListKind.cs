namespace TunnelGuard.Flows;

/// <summary>Which of the table's recency lists a flow is on; eviction takes from them in this order of preference.</summary>
internal enum FlowListKind
{
    /// <summary>No data carried yet: a SYN, a bare handshake, a scan.</summary>
    Probation,

    Active,

    /// <summary>FIN both ways or RST: lingering for the last packets.</summary>
    Closed,
}
