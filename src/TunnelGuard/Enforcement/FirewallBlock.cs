using TunnelGuard.Decoding;

namespace TunnelGuard.Enforcement;

/// <summary>One block to put into the host firewall: validated values only, never text from the wire.</summary>
public sealed record FirewallBlock(IpAddress Address, TimeSpan Duration, BlockScope Scope = BlockScope.Address, IpAddress? Peer = null)
{
    /// <summary>nftables timeouts are whole seconds; a block lasts at least one.</summary>
    public long Seconds => Math.Max(1, (long)Math.Ceiling(Duration.TotalSeconds));

    public bool IsV4 => Address.IsV4;

    public void Validate()
    {
        if (Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"block duration must be positive, not {Duration}");
        }

        if (Scope == BlockScope.Pair && (Peer is null || Peer.Value.IsV4 != Address.IsV4))
        {
            throw new ArgumentException("a pair block needs a peer of the same address family");
        }
    }
}
