using TunnelGuard.Decoding;

namespace TunnelGuard.Enforcement;

/// <summary>A block as the store keeps it: what was blocked, why, when it runs out, and how it ended (times are wall-clock microseconds).</summary>
public sealed record BlockRecord(
    long Id,
    IpAddress Address,
    IpAddress? Peer,
    string RuleId,
    string Reason,
    int Offence,
    long CreatedMicros,
    long ExpiresMicros,
    long? EndedMicros = null,
    string? EndReason = null)
{
    public bool IsActiveAt(long nowMicros) => EndedMicros is null && ExpiresMicros > nowMicros;

    /// <summary>The firewall element for what is left of this block at <paramref name="nowMicros"/>.</summary>
    public FirewallBlock ToFirewallBlock(long nowMicros) =>
        new(Address, TimeSpan.FromMicroseconds(Math.Max(1_000_000, ExpiresMicros - nowMicros)), Peer is null ? BlockScope.Address : BlockScope.Pair, Peer);

    public string Target => Peer is { } peer ? $"{Address} <-> {peer}" : Address.ToString();
}
