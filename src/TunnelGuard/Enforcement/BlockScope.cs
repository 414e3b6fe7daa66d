namespace TunnelGuard.Enforcement;

/// <summary>Whom a block stops: every packet from and to one address, or only the packets between two.</summary>
public enum BlockScope
{
    /// <summary>All traffic from and to <see cref="FirewallBlock.Address"/>.</summary>
    Address,

    /// <summary>Only traffic between <see cref="FirewallBlock.Address"/> and <see cref="FirewallBlock.Peer"/>.</summary>
    Pair,
}
