namespace TunnelGuard.Enforcement;

/// <summary>A host firewall backend that blocks addresses with an expiry.</summary>
public interface IFirewall
{
    /// <summary>A short name for logs and metrics: nftables, iptables, dry-run.</summary>
    string Name { get; }

    /// <summary>Creates TunnelGuard's own table, sets and rules if they are missing; leaves other rules alone.</summary>
    Task EnsureReadyAsync(CancellationToken cancellation);

    /// <summary>Adds the block, or renews it with the new duration if it exists.</summary>
    Task BlockAsync(FirewallBlock block, CancellationToken cancellation);

    /// <summary>Removes the block if it is there.</summary>
    Task UnblockAsync(FirewallBlock block, CancellationToken cancellation);

    /// <summary>Removes TunnelGuard's table and everything in it.</summary>
    Task RemoveAllAsync(CancellationToken cancellation);
}
